-- The handset simulator's messages expire (they hold codes and prompts in clear).
CREATE INDEX sim_messages_by_time ON sim_messages (sent_ms);
