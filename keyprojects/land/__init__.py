"""The land acquisition and demolition ledger (征地拆迁台账): per project targets and monthly progress."""
