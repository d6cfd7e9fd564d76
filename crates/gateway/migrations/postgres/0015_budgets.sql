-- Attempt and message budgets (SMS per number, per account, process-wide), reserved in the
-- same statement that checks them: one counter per key and fixed window.
CREATE TABLE budgets (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,     -- ms since the epoch, a multiple of the window's length
    used         BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX budgets_by_window ON budgets (window_start);
