"""Supervision (督查督办): letters (督办函) to responsible units, replied to and signed off; inspections
whose findings become rectification items (整改); observation and appraisal tours (观摩评比)."""
