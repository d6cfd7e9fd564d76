-- What an app prompt says without its device (assent_prompt::wire::PromptContent, as JSON):
-- the app renders it for its own screen and language, and the gateway renders it again to
-- check the text a decision is signed over. NULL for prompts stored before this column.
ALTER TABLE app_prompts ADD COLUMN content TEXT;
