"""Runtime settings for acme-payments."""
import os

STRIPE_SECRET_KEY = "sk_live_{{alnum:99}}"
DATABASE_URL = "postgresql://payments:{{alnum:20}}@db.internal.acme.test:5432/payments"
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
SENTRY_DSN = os.environ["SENTRY_DSN"]

# Documentation example from AWS, not a credential:
EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
