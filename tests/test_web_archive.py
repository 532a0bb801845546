"""The page Arkiv takes the archive's code lists: uploaded once, they check the package made then and later.

The real `lederavtale web` (test_web.Server) on the example with the Word files made; the code lists are
kodeliste.hent replies as the archive sends them (test_codes.reply), the archive's own dokumenttype list
lacking the tool's default AVTALE, so the package is refused before anything is written, in the page's words.
"""

from __future__ import annotations

import pytest
from test_codes import archive_lists
from test_web import YEAR, Server, csrf_of, generated_example, wait_for_job


@pytest.mark.slow
def test_code_lists_uploaded_on_the_page_check_the_package(tmp_path):
    root = generated_example(tmp_path, "1002")
    lists = archive_lists(tmp_path / "lister", dokumenttype={"LA": "Lederavtale"})
    server = Server(root)
    try:
        hr = server.client()
        assert hr.get(server.url).status_code == 303
        page = hr.get("/arkiv").text
        assert "ikke kontrollert mot arkivets egne kodelister" in page
        files = [("kodelister", (p.name, p.read_bytes(), "application/xml")) for p in sorted(lists.glob("*.xml"))]
        made = hr.post("/arkiv/lag", data={"csrf": csrf_of(page), "alle": "ja"}, files=files, follow_redirects=False)
        assert made.status_code == 303
        wait_for_job(hr)
        page = hr.get("/arkiv").text
        assert "dokumenttype «AVTALE»" in page and "arkivet kjenner: LA (Lederavtale)" in page
        assert "Kodene kontrolleres mot kodelistene som ble lastet opp" in page and "dokumenttype" in page
        assert "--kodelister" not in page and str(tmp_path) not in page
        assert not (root / "ut" / YEAR / "arkiv").exists()
        # A later package, with no new upload, is checked against the same lists.
        made = hr.post("/arkiv/lag", data={"csrf": csrf_of(page), "alle": "ja"}, follow_redirects=False)
        wait_for_job(hr)
        assert "dokumenttype «AVTALE»" in hr.get("/arkiv").text
        hr.close()
    finally:
        server.stop()
