-- Once-a-day work (e.g. breaking the promises unpaid by yesterday at the day's turn): the key
-- (job, day) lets exactly one process run a job per São Paulo day, however many app servers
-- share the database.
CREATE TABLE daily_jobs (
    job VARCHAR NOT NULL,
    day DATE NOT NULL,
    ran_at TIMESTAMPTZ NOT NULL,
    result VARCHAR,
    PRIMARY KEY (job, day)
);
