"""Reading a PDF the way a reader's tools do: poppler's pdftotext, pdffonts, pdfinfo, pdfimages."""
import html
import re
import subprocess
import zlib


def _run(*args, data: bytes) -> str:
    return subprocess.run([*args, "-", "-"] if args[0] == "pdftotext" else [*args, "-"], input=data,
                          capture_output=True, check=True).stdout.decode()


def text(pdf: bytes) -> str:
    """The extracted text, with the line breaks and spaces of the layout removed."""
    return re.sub(r"\s+", "", _run("pdftotext", data=pdf))


def fonts(pdf: bytes) -> list[dict]:
    """Each font with its name, whether it is embedded and whether it is a subset."""
    lines = _run("pdffonts", data=pdf).splitlines()[2:]
    found = []
    for line in lines:
        parts = line.split()
        # name, type (1-3 words), encoding, emb, sub, uni, object, generation
        found.append({"name": parts[0], "embedded": parts[-5] == "yes", "subset": parts[-4] == "yes"})
    return found


def info(pdf: bytes) -> dict:
    return dict(line.split(":", 1) for line in _run("pdfinfo", data=pdf).splitlines() if ":" in line)


def pages(pdf: bytes) -> int:
    return int(info(pdf)["Pages"].strip())


def images(pdf: bytes) -> int:
    """How many images the pages show."""
    return len(_run("pdfimages", "-list", data=pdf).splitlines()[2:])


def language(pdf: bytes) -> str | None:
    """The catalogue's /Lang, looked for in the (compressed) object streams as well."""
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunk = zlib.decompressobj().decompress(pdf[match.end():match.end() + 500_000])
        except zlib.error:
            continue
        found = re.search(rb"/Lang \(([^)]*)\)", chunk)
        if found:
            return found.group(1).decode()
    found = re.search(rb"/Lang \(([^)]*)\)", pdf)
    return found.group(1).decode() if found else None


def page_lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines as laid out (pdftotext -layout), stripped, empty lines left out."""
    layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                            check=True).stdout.decode()
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in layout.split("\f")]


def page_words(pdf: bytes) -> list[dict]:
    """Each page's size and words with their boxes in points from the top left (pdftotext -bbox):
    ``{"width", "height", "words": [(text, x_min, y_min, x_max, y_max), ...]}``."""
    bbox = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    found = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
        words = [(html.unescape(word), float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, word in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                            page.group(3))]
        found.append({"width": float(page.group(1)), "height": float(page.group(2)), "words": words})
    return found
