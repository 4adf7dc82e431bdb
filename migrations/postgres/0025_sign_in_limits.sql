-- Sign-in hardening (issue 16). Each attempt is written before its password is checked, with the
-- address it came from, so that parallel guesses count against each other and the limit holds per
-- address as well as per account. An attempt the limit turned away is marked `refused`: it counts
-- against its address, but does not lengthen the account's back-off.
ALTER TABLE login_attempts ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN refused BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX login_attempts_address_at ON login_attempts(address, at);

-- Addresses an account has signed in from: guesses from elsewhere never lock it out from these.
CREATE TABLE sign_in_addresses (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, address)
);
