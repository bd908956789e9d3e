"""E-mail in: one ingest service (``ingest.mail_ingest``) behind the MTA pipe, the IMAP
mailboxes and the provider webhooks."""
