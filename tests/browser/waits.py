"""Waits a browser test needs where htmx swaps a page in."""


def htmx_ready(page, selector: str) -> None:
    """Wait until htmx has taken up the element (after a boosted navigation swapped it in):
    clicking it earlier follows the plain link or posts the plain form instead."""
    page.wait_for_function("selector => document.querySelector(selector)?.['htmx-internal-data']", arg=selector)
