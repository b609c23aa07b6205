"""Notifications that are never lost: the in-app inbox, and an outbox written in the event's own
transaction and delivered by e-mail and group-robot webhooks (WeCom, DingTalk, Feishu) with retries."""
