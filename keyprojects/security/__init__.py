"""Security: the security log (logins, failures, lockouts, unlocks, second factor, denied access, every
download), idle and absolute session limits, the sessions of each user, and office admins' TOTP."""
