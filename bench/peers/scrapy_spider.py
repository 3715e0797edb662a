"""Peer for bench/run.sh: a minimal Scrapy CrawlSpider.

    scrapy runspider bench/peers/scrapy_spider.py -a start_url=http://127.0.0.1:8089/

Follows every link inside the start URL's host (LinkExtractor's defaults:
links to PDFs and other binary extensions are not followed), parses each
page with selectors (title, h1, paragraphs, links), obeys robots.txt, 16
requests in flight, no AutoThrottle, no delay. Prints the number of pages
parsed when it closes; bench/run.sh counts pages from nginx's access log.
"""

from urllib.parse import urlsplit

from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BenchSpider(CrawlSpider):
    name = "bench"
    custom_settings = {
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "DEPTH_LIMIT": 0,
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
    }

    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def __init__(self, start_url="http://127.0.0.1:8089/", *args, **kwargs):
        host = urlsplit(start_url).hostname
        self.start_urls = [start_url]
        self.allowed_domains = [host]
        self.pages = 0
        self.words = 0
        self.links = 0
        super().__init__(*args, **kwargs)

    def parse_start_url(self, response, **kwargs):
        return self.parse_page(response)

    def parse_page(self, response):
        # Parse and count, store nothing (no items, no feed).
        self.pages += 1
        response.css("title::text").get(default="")
        response.css("h1::text").get(default="")
        self.words += sum(len(p.split()) for p in response.css("main p::text").getall())
        self.links += len(response.css("a::attr(href)").getall())

    def closed(self, reason):
        print(f"scrapy: {self.pages} pages parsed, {self.words} words, "
              f"{self.links} links ({reason})", flush=True)
