"""The generated site in a real browser: headless Chromium (Debian's, installed by the
project's Makefile) opens the built pages from disk; every image loads and the search finds
a feature name. Screenshots are kept in the test's folder (or MODELDOC_SCREENSHOTS)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.examples import build_example
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# A closed network: no background connections, no first-run or sync traffic.
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1400",
)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("cancer-xgboost", tmp_path_factory.mktemp("browser") / "out")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), (
        "Debian's chromium and chromium-driver are needed: `make test` installs them"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MODELDOC_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _images(driver: webdriver.Chrome) -> list[tuple[str, bool]]:
    script = (
        "return Array.from(document.images)"
        ".map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0]);"
    )
    return [(str(src), bool(ok)) for src, ok in driver.execute_script(script)]


@pytest.mark.parametrize("page", ["index.html", "explanations.html"])
def test_pages_open_from_disk_with_every_image_loaded(
    built: Path, browser: webdriver.Chrome, page: str, tmp_path: Path
) -> None:
    browser.get((built / "site" / page).as_uri())
    WebDriverWait(browser, 30).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )
    images = _images(browser)
    if page == "explanations.html":
        facts = json.loads((built / "facts.json").read_text())
        shap_plots = [p for p in facts["plots"] if p["kind"].startswith("shap_")]
        assert len([src for src, _ in images if "shap_" in src]) == len(shap_plots)
    assert images, f"{page} shows no image"
    assert [src for src, loaded in images if not loaded] == []
    browser.save_screenshot(str(_screenshots(tmp_path) / page.replace(".html", ".png")))


def test_search_finds_a_feature_name(
    built: Path, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    facts = json.loads((built / "facts.json").read_text())
    feature = facts["explanations"]["importance"][0]["feature"]
    browser.get((built / "site" / "index.html").as_uri())
    box = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "input[data-md-component='search-query']")
        )
    )
    browser.execute_script("arguments[0].focus();", box)
    box.send_keys(feature.split()[-1])
    results = WebDriverWait(browser, 30).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
    )
    assert any(feature.split()[-1] in item.text for item in results)
    browser.save_screenshot(str(_screenshots(tmp_path) / "search.png"))
