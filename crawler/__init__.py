"""govmon crawler: Scrapy spiders, source definitions and pure extraction functions."""
