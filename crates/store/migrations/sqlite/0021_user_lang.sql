-- The account's language (`en`, `fr`, `de`, `ar`): its notices are written
-- in it. Set at sign-up from the browser's; NULL (older, imported or
-- operator-made accounts) reads as the requesting browser's.
ALTER TABLE users ADD COLUMN lang TEXT;
