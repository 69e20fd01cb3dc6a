"""The DuckDB schema of the store, in two layers.

*Raw layer* — every row exactly as each source file gave it, with its provenance (source, URL,
file checksum, line). Replaced file by file when a file's checksum changes.

*Resolved layer* — rebuilt from the raw layer after every ingest: clubs (one id per club across
sources), the names each source uses for them, one row per match however many sources report
it, the link from each match to its source rows, and the disagreements between sources.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

#: Match statistics columns (per side) carried from MatchRecord.stats.
STAT_KEYS = ("shots", "sot", "fouls", "corners", "yellow", "offsides", "woodwork")
STAT_COLUMNS = (*(f"{side}_{key}" for key in STAT_KEYS for side in ("home", "away")), "attendance")

#: Result columns shared by raw rows and resolved matches.
RESULT_COLUMNS = (
    "home_goals",
    "away_goals",
    "ht_home",
    "ht_away",
    "aet_home",
    "aet_away",
    "pen_home",
    "pen_away",
    "home_red",
    "away_red",
)

_STAT_DDL = ",\n    ".join(f"{c} {'BIGINT' if c == 'attendance' else 'SMALLINT'}" for c in STAT_COLUMNS)
_RESULT_DDL = ",\n    ".join(f"{c} SMALLINT" for c in RESULT_COLUMNS)

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS source_files (
    url VARCHAR PRIMARY KEY,          -- the public URL (even when read from a mirror)
    source VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    read_from VARCHAR NOT NULL,       -- where the bytes actually came from
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    competition VARCHAR,
    season VARCHAR,
    n_matches INTEGER NOT NULL,
    n_records INTEGER NOT NULL,
    n_warnings INTEGER NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS raw_matches (
    raw_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    competition VARCHAR NOT NULL,
    season VARCHAR NOT NULL,
    date DATE,
    kickoff VARCHAR,
    stage VARCHAR,
    round VARCHAR,
    leg SMALLINT,
    home_name VARCHAR NOT NULL,
    home_country VARCHAR,
    away_name VARCHAR NOT NULL,
    away_country VARCHAR,
    national BOOLEAN NOT NULL,
    {_RESULT_DDL},
    neutral BOOLEAN NOT NULL,
    status VARCHAR NOT NULL,
    referee VARCHAR,
    tie_winner_name VARCHAR,
    agg_home SMALLINT,
    agg_away SMALLINT,
    note VARCHAR,
    {_STAT_DDL}
);

CREATE TABLE IF NOT EXISTS raw_odds (
    raw_id BIGINT NOT NULL,
    bookmaker VARCHAR NOT NULL,
    market VARCHAR NOT NULL,          -- 1x2 | ou | ah
    closing BOOLEAN NOT NULL,
    line DOUBLE,                      -- goals (ou) or home handicap (ah)
    price1 DOUBLE NOT NULL,           -- home / over
    price2 DOUBLE NOT NULL,           -- draw (1x2) or away / under
    price3 DOUBLE                     -- away (1x2 only)
);

CREATE TABLE IF NOT EXISTS raw_goals (
    url VARCHAR NOT NULL,
    line INTEGER,
    match_line INTEGER,               -- the match's line when goals sit in the same file
    date DATE,                        -- otherwise the match is found by date and team names
    home_name VARCHAR,
    away_name VARCHAR,
    side VARCHAR NOT NULL,
    minute SMALLINT,
    stoppage SMALLINT,
    player VARCHAR,
    own_goal BOOLEAN NOT NULL,
    penalty BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS raw_events (
    url VARCHAR NOT NULL,
    match_line INTEGER NOT NULL,      -- the match's position in its file (raw_matches.line)
    seq SMALLINT NOT NULL,            -- the event's position in its match's list
    side VARCHAR NOT NULL,            -- home | away: the side it belongs to (credited, for goals)
    minute SMALLINT NOT NULL,         -- base minute, 1-120
    added SMALLINT,                   -- added minute: 45+2 is minute 45, added 2
    kind VARCHAR NOT NULL,            -- goal | own_goal | penalty_goal | penalty_missed | red_card | ...
    incident VARCHAR NOT NULL,        -- the source's label
    player VARCHAR,
    home_score SMALLINT,              -- running score after a goal, as the source writes it
    away_score SMALLINT
);

CREATE TABLE IF NOT EXISTS raw_ratings (
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    team_name VARCHAR NOT NULL,
    team_country VARCHAR,
    date_from DATE NOT NULL,
    date_to DATE NOT NULL,
    rating DOUBLE NOT NULL,
    rank INTEGER,
    level INTEGER
);

CREATE TABLE IF NOT EXISTS raw_forecasts (
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    competition VARCHAR NOT NULL,
    date DATE NOT NULL,
    home_name VARCHAR NOT NULL,
    home_country VARCHAR,
    away_name VARCHAR NOT NULL,
    away_country VARCHAR,
    national BOOLEAN NOT NULL,
    p_home DOUBLE NOT NULL,
    p_draw DOUBLE NOT NULL,
    p_away DOUBLE NOT NULL,
    rating_home DOUBLE,
    rating_away DOUBLE,
    proj_home DOUBLE,
    proj_away DOUBLE,
    home_goals SMALLINT,
    away_goals SMALLINT,
    xg_home DOUBLE,
    xg_away DOUBLE
);

CREATE TABLE IF NOT EXISTS raw_shootouts (
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    date DATE NOT NULL,
    home_name VARCHAR NOT NULL,
    away_name VARCHAR NOT NULL,
    winner_name VARCHAR NOT NULL,
    first_shooter_name VARCHAR
);

CREATE TABLE IF NOT EXISTS raw_competitions (
    url VARCHAR NOT NULL,
    competition_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    country VARCHAR,
    kind VARCHAR NOT NULL,
    tier SMALLINT
);

-- resolved layer ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS competitions (
    competition_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    country VARCHAR,
    kind VARCHAR NOT NULL,
    tier SMALLINT
);

CREATE TABLE IF NOT EXISTS clubs (
    club_id VARCHAR PRIMARY KEY,      -- stable readable key, e.g. liverpool-eng
    name VARCHAR NOT NULL,
    country VARCHAR,
    national BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS club_names (
    source VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    country VARCHAR,                  -- '' when the source gives none
    national BOOLEAN NOT NULL,
    club_id VARCHAR,                  -- NULL when unresolved
    method VARCHAR NOT NULL,          -- alias | fixtures | name | similar | own | unresolved
    confidence DOUBLE NOT NULL,
    evidence VARCHAR
);

CREATE TABLE IF NOT EXISTS unresolved_names (
    source VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    country VARCHAR,
    context VARCHAR,                  -- where it appears (competition, seasons)
    reason VARCHAR NOT NULL,
    candidates VARCHAR
);

CREATE TABLE IF NOT EXISTS matches (
    match_id BIGINT PRIMARY KEY,
    competition_id VARCHAR NOT NULL,
    season VARCHAR NOT NULL,
    date DATE,
    kickoff VARCHAR,
    stage VARCHAR,
    round VARCHAR,
    leg SMALLINT,
    home_id VARCHAR NOT NULL,
    away_id VARCHAR NOT NULL,
    {_RESULT_DDL},
    neutral BOOLEAN NOT NULL,
    status VARCHAR NOT NULL,
    referee VARCHAR,
    tie_winner_id VARCHAR,
    shootout_winner_id VARCHAR,       -- when only the shoot-out winner is known (no score)
    {_STAT_DDL},
    n_sources SMALLINT NOT NULL
);

CREATE TABLE IF NOT EXISTS match_sources (
    match_id BIGINT NOT NULL,
    raw_id BIGINT NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS conflicts (
    match_id BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    chosen VARCHAR,
    values_by_source VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS goals (
    match_id BIGINT NOT NULL,
    side VARCHAR NOT NULL,
    minute SMALLINT,
    stoppage SMALLINT,
    player VARCHAR,
    own_goal BOOLEAN NOT NULL,
    penalty BOOLEAN NOT NULL
);

-- every minute-by-minute event, on its resolved match; provenance in event_matches
CREATE TABLE IF NOT EXISTS match_events (
    match_id BIGINT NOT NULL,
    seq SMALLINT NOT NULL,
    side VARCHAR NOT NULL,
    minute SMALLINT NOT NULL,
    added SMALLINT,
    kind VARCHAR NOT NULL,
    player VARCHAR
);

-- the event lists behind match_events: which file and match each came from, whether it is
-- complete (goals add up, minutes read, nothing after full time) and whether the match aligned
-- with another source's report of it (aligned = false: known from the events file alone)
CREATE TABLE IF NOT EXISTS event_matches (
    match_id BIGINT NOT NULL,
    url VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    complete BOOLEAN NOT NULL,
    aligned BOOLEAN NOT NULL,
    problem VARCHAR
);

CREATE TABLE IF NOT EXISTS ratings (
    source VARCHAR NOT NULL,
    club_id VARCHAR NOT NULL,
    date_from DATE NOT NULL,
    date_to DATE NOT NULL,
    rating DOUBLE NOT NULL,
    rank INTEGER
);

CREATE TABLE IF NOT EXISTS forecasts (
    source VARCHAR NOT NULL,
    competition_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    home_id VARCHAR NOT NULL,
    away_id VARCHAR NOT NULL,
    match_id BIGINT,                  -- the stored match it forecast, when found
    p_home DOUBLE NOT NULL,
    p_draw DOUBLE NOT NULL,
    p_away DOUBLE NOT NULL,
    rating_home DOUBLE,
    rating_away DOUBLE,
    proj_home DOUBLE,
    proj_away DOUBLE,
    xg_home DOUBLE,
    xg_away DOUBLE
);

CREATE OR REPLACE VIEW odds AS
    SELECT ms.match_id, o.bookmaker, o.market, o.closing, o.line, o.price1, o.price2, o.price3, ms.source
    FROM raw_odds o JOIN match_sources ms USING (raw_id);

CREATE OR REPLACE VIEW provenance AS
    SELECT ms.match_id, r.source, r.url, f.sha256, r.line
    FROM match_sources ms JOIN raw_matches r USING (raw_id) JOIN source_files f USING (url);
"""

#: Tables of the resolved layer, emptied and refilled by every rebuild.
RESOLVED_TABLES = (
    "competitions",
    "clubs",
    "club_names",
    "unresolved_names",
    "matches",
    "match_sources",
    "conflicts",
    "goals",
    "match_events",
    "event_matches",
    "ratings",
    "forecasts",
)
