"""Operations: backups that restore (a consistent snapshot of the database plus the uploaded files), the
health endpoints a load balancer polls, and the office admin's page of job runs, queues and backups."""
