-- Which strategy proved each factor of a sign-in attempt (Clerk's
-- first_factor_verification / second_factor_verification). An attempt
-- from before this has neither: its answer shows no verification.
ALTER TABLE sign_in_attempts ADD COLUMN first_factor TEXT;
ALTER TABLE sign_in_attempts ADD COLUMN second_factor TEXT;
