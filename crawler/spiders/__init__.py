"""Scrapy spiders: one generic `SourceSpider` driven by source definitions (crawler/sources/*.toml)."""
