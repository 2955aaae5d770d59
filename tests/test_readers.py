"""Readers: the seed parsed exactly, other formats, and captures cut off anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ReaderError
from pipeline.readers import read_capture, read_text, sniff_format
from pipeline.readers.pagetext import parse_authors

FIX = Path(__file__).parent / "fixtures" / "readers"
SEED = (FIX / "seed_fimmu_2024_1519055.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed():
    return read_text(SEED)


def test_seed_metadata(seed):
    assert seed.id == "10.3389/fimmu.2024.1519055"
    assert seed.url == "https://doi.org/10.3389/fimmu.2024.1519055"
    assert seed.format == "page_text"
    assert seed.title == ("The first case of T-cell acute lymphoblastic leukemia treated with chemotherapy "
                          "followed by anti-CD7 CAR-T cells using retroviral vector")
    # the page writes "Front. Immunol.": one canonical name per journal, with its abbreviation
    assert (seed.journal, seed.journal_abbrev) == ("Frontiers in Immunology", "Front. Immunol.")
    assert seed.section == "Cancer Immunity and Immunotherapy"
    assert (seed.volume, seed.year) == ("15", 2024)
    assert seed.article_type == "Case Report"
    assert (seed.received, seed.accepted, seed.published) == ("2024-10-29", "2024-12-27", None)
    assert seed.status == "provisionally accepted"
    assert seed.license == "CC BY"
    assert seed.truncated is False


def test_seed_authors_and_affiliations(seed):
    # The page lists 14 authors (the copyright line names the same 14 surnames).
    assert len(seed.authors) == 14
    assert seed.authors[:3] == ["Huanhuan Zhou", "Zhu Wenxiang", "Qihong Ma"]
    assert seed.authors[-1] == "Liqiong Liu"
    assert len(seed.affiliations) == 5
    assert seed.affiliations[0].startswith("Department of Hematology, The sixth Affiliated Hospital")
    assert seed.affiliations[4] == "School of Medicine, Wuhan University of Science and Technology, Wuhan, Hebei Province, China"


def test_seed_abstract_keywords_and_zones(seed):
    assert seed.abstract.startswith("CD7-targeted chimeric antigen receptor-T")
    assert seed.abstract.endswith("high safety in triple-refractory T-ALL patients.")
    assert seed.keywords == ["T-ALL", "CD7 CAR-T", "chemotherapy", "Retroviral vectors", "Complete remission"]
    names = [z.name for z in seed.clinical_zones()]
    assert names[0] == "title" and names[-1] == "keywords" and "abstract" in names
    for z in seed.zones:  # every zone points at the text it names
        assert seed.text[z.start : z.end].strip() == seed.text[z.start : z.end]
    kw = next(z for z in seed.zones if z.name == "keywords")
    assert seed.text[kw.start : kw.end] == "T-ALL, CD7 CAR-T, chemotherapy, Retroviral vectors, Complete remission"
    # nothing from affiliations or correspondence is in a clinical zone
    clinical = " ".join(seed.text[z.start : z.end] for z in seed.clinical_zones())
    assert "Shenzhen" not in clinical and "Correspondence" not in clinical


@pytest.mark.parametrize(
    ("cut_after", "expect"),
    [
        ("CASE REPORT article", {"article_type": "Case Report", "title": None, "truncated": True}),
        ("Huanhuan Zhou Huanhuan Zhou 1Zhu Wenxiang", {"status": "provisionally accepted", "truncated": True}),
        ("  • 3 Shenzhen Cell", {"abstract": "", "truncated": True}),
        ("who finally developed multi-line", {"truncated": True}),
        ("Keywords: T-ALL, CD7 CAR-T", {"truncated": False}),
    ],
)
def test_seed_cut_off(cut_after, expect):
    text = SEED[: SEED.index(cut_after) + len(cut_after)]
    doc = read_text(text, doc_id="10.3389/fimmu.2024.1519055")
    for key, value in expect.items():
        assert getattr(doc, key) == value, key


def test_cut_anywhere_never_crashes():
    for end in range(1, len(SEED), 23):
        text = SEED[:end]
        if not text.strip():
            continue
        try:
            doc = read_text(text, doc_id="x")
        except ReaderError:
            pytest.fail(f"cut at {end} raised")
        for z in doc.zones:
            assert 0 <= z.start <= z.end <= len(doc.text)
        if end < SEED.index("Keywords:"):
            assert doc.truncated, end


def test_mid_abstract_cut_keeps_what_was_captured():
    text = SEED[: SEED.index("In addition, CAR copy number")]
    doc = read_text(text)
    assert doc.truncated
    assert doc.abstract.endswith("(ICANS) was found.")
    assert doc.keywords == []


def test_parse_authors_variants():
    assert parse_authors("Zhi Guo Zhi Guo 1,4,5*Jianxun Wang Jianxun Wang 3*") == ["Zhi Guo", "Jianxun Wang"]
    assert parse_authors("Ruixiang Xia&#x;Ruixiang Xia1†Jian Ge&#x;*Jian Ge1†*") == ["Ruixiang Xia", "Jian Ge"]
    assert parse_authors("Yi Zhang,,,,*Yi Zhang1,2,5,6,7*Kara L. DavisKara L. Davis1") == ["Yi Zhang", "Kara L. Davis"]
    assert parse_authors("Huibo  LiHuibo Li1Jie  LiuJie Liu1") == ["Huibo Li", "Jie Liu"]


def test_citation_export():
    text = (FIX / "citation_fcvm_2023_1132503.txt").read_text(encoding="utf-8")
    assert sniff_format(text) == "citation_export"
    doc = read_text(text)
    assert doc.id == "10.3389/fcvm.2023.1132503"
    assert doc.title == "Case report: CAR-T cell therapy-induced cardiac tamponade"
    assert doc.journal == "Frontiers in Cardiovascular Medicine"
    assert (doc.volume, doc.year) == ("10", 2023)
    assert doc.authors[0] == "Sarfati Sacha" and len(doc.authors) == 12
    assert doc.abstract.startswith("CD19-specific chimeric antigen receptor T (CAR-T)")
    assert doc.truncated
    assert "Case summary" in [z.heading for z in doc.zones]


def test_jats_cut_before_abstract():
    text = (FIX / "jats_fcvm_2022_848091.xml").read_text(encoding="utf-8")
    assert sniff_format(text) == "jats"
    doc = read_text(text)
    assert doc.id == "10.3389/fcvm.2022.848091"
    assert doc.article_type == "Case Report"
    assert (doc.journal, doc.journal_abbrev) == ("Frontiers in Cardiovascular Medicine", "Front. Cardiovasc. Med.")
    assert doc.title.startswith("Case Report: Cardiac Tamponade")
    assert doc.authors[:2] == ["Shohei Moriyama", "Mitsuhiro Fukata"]
    assert doc.truncated and doc.abstract == ""
    assert doc.text[doc.zones[0].start : doc.zones[0].end] == doc.title


def test_jats_complete_with_sections():
    xml = """<?xml version="1.0"?><article article-type="case-report"><front><article-meta>
    <article-id pub-id-type="doi">10.3389/x.1</article-id>
    <title-group><article-title>A title</article-title></title-group>
    <abstract><sec><title>Background</title><p>First &amp; one.</p></sec>
    <sec><title>Case presentation</title><p>A 40-year-old woman.</p></sec></abstract>
    <kwd-group><kwd>CAR-T</kwd><kwd>CRS</kwd></kwd-group></article-meta></front></article>"""
    doc = read_text(xml)
    assert doc.sections == [("Background", "First & one."), ("Case presentation", "A 40-year-old woman.")]
    assert doc.keywords == ["CAR-T", "CRS"]
    assert not doc.truncated


def test_fragment_starting_at_affiliations():
    doc = read_text((FIX / "affiliations_first_fimmu_2021_693200.txt").read_text(encoding="utf-8"), doc_id="10.3389/fimmu.2021.693200")
    assert doc.title is None
    assert len(doc.affiliations) == 3
    assert doc.sections[0][0] == "Background"
    assert doc.abstract.startswith("Background: The efficacy and safety")


def test_notify_widget_and_glued_status_are_not_abstract():
    doc = read_text((FIX / "widget_fimmu_2025_1570214.txt").read_text(encoding="utf-8"))
    assert doc.status == "provisionally accepted"
    assert len(doc.affiliations) == 4
    assert doc.abstract.startswith("Primary central nervous system (CNS) T-cell lymphomas")
    assert "emails" not in doc.abstract


def test_author_line_broken_in_two():
    doc = read_text((FIX / "split_authors_fonc_2019_00767.txt").read_text(encoding="utf-8"), doc_id="10.3389/fonc.2019.00767")
    assert doc.authors[0] == "Yaqing Cao" and doc.authors[-1] == "Mingfeng Zhao" and len(doc.authors) == 10
    assert doc.published == "2019-08-19" and doc.year == 2019
    assert doc.abstract.startswith("Chimeric antigen receptor (CAR) T cells are emerging")


def test_structured_abstract_of_another_publisher():
    text = ("Skip to main content\n\nA pilot study of CAR30 T cells\n\nAbstract\n\nBackground\n\nLong-term outcome is poor.\n\n"
            "Methods\n\nThis open-label study.\n\nResults\n\nFive patients.\n\nConclusion\n\nIt works.\n\nIntroduction\n\nBody text.")
    doc = read_text(text, doc_id="10.1186/x")
    assert [h for h, _ in doc.sections] == ["Background", "Methods", "Results", "Conclusion"]
    assert "Body text" not in doc.abstract
    assert not doc.truncated


def test_errors_name_the_capture():
    with pytest.raises(ReaderError, match="capture-x: the capture is empty"):
        read_capture(b"  \n", where="capture-x")
    with pytest.raises(ReaderError, match="no document id"):
        read_text("Some title\n\nAn abstract without any identifier.")


def test_decoding_fallbacks():
    body = "CASE REPORT article\n\nTitre été\n\nA 34-year-old.\n".encode("cp1252")
    doc = read_capture(body, where="w", doc_id="10.1/x")
    assert "été" in doc.title
    bom = b"\xef\xbb\xbf" + SEED.encode("utf-8")
    assert read_capture(bom, where="w").title.startswith("The first case")


def test_author_names_mangled_by_encoding_stay_out_of_the_abstract():
    # "Javier Nogus-Castell,*Javier Nogués-Castell1,2*...": the two spellings differ
    doc = read_text((FIX / "mangled_authors_fonc_2023_1217714.txt").read_text(encoding="utf-8"), doc_id="10.3389/fonc.2023.1217714")
    assert doc.authors[:2] == ["Javier Nogués-Castell", "Silvia Feu-Basilio"]
    assert len(doc.authors) == 7 and len(doc.affiliations) == 4
    assert doc.abstract.startswith("Background: Plasma cell leukemia (PCL)")


LAYOUTS = FIX / "layouts"


def _layout(name: str):
    return read_text((LAYOUTS / name).read_text(encoding="utf-8"), doc_id=f"10.9999/{name}")


def test_pmc_like_page():
    doc = _layout("pmc_like.txt")
    assert doc.title == "Durable remission after CD19 CAR-T cells in a patient with lymphoma: a case report"
    assert doc.authors == ["Ana Souza", "Bo Li", "Carl Meyer"]
    assert doc.abstract.startswith("We describe a 58-year-old man") and doc.abstract.endswith("lasted 14 months.")
    assert doc.keywords == ["CAR-T", "lymphoma", "case report"]
    assert not doc.truncated


def test_pubmed_like_page_keeps_affiliations_out():
    doc = _layout("pubmed_like.txt")
    assert doc.title == "Regression of a solid tumour after CAR T-cell therapy."
    assert doc.affiliations and doc.affiliations[0].startswith("From the Department of Oncology")
    assert doc.abstract.startswith("A patient with a recurrent solid tumour")
    assert "Comment in" not in doc.abstract and "Department" not in doc.abstract


def test_glued_abstract_label_and_hard_wrapped_lines():
    doc = _layout("wrapped_like.txt")
    assert doc.title.startswith("Phase 1 trial of an example BCMA")
    assert doc.abstract.startswith("Example BCMA CAR T-cells were studied")
    assert doc.abstract.endswith("Responses were durable.")
    [zone] = [z for z in doc.zones if z.name == "abstract"]  # one paragraph: sentences stay whole
    assert "enrolled\nforty participants" in doc.text[zone.start : zone.end]
    assert "TTS" not in doc.abstract and "body begins" not in doc.abstract


def test_structured_abstract_with_heading_lines_stops_at_the_boxes_after_it():
    doc = _layout("structured_headings_like.txt")
    assert [h for h, _ in doc.sections] == ["Purpose", "Patients and Methods", "Results", "Conclusions"]
    assert doc.abstract.endswith("effective option for older patients.")
    assert "Highlights" not in doc.abstract and "repeats" not in doc.abstract


def test_abstract_first_page_with_trailing_widgets():
    doc = _layout("prose_first_like.txt")
    assert doc.title is None
    assert doc.abstract.startswith("Conventional therapies") and doc.abstract.endswith("was mild.")
    assert "Doe, Jane" not in doc.abstract


def test_markdown_rendering_with_a_long_title_and_glued_headings():
    doc = _layout("markdown_like.txt")
    assert doc.title.startswith("Case report: an example CAR-T therapy") and doc.title.endswith("that all failed")
    assert doc.authors == ["Jo Example", "Max Sample", "Li Test"]
    assert doc.abstract.startswith("BACKGROUND:Refractory lymphoma")
    assert "Key findings" not in doc.abstract and "bullet" not in doc.abstract
    assert doc.sections[0][0] == "BACKGROUND"


def test_heading_glued_to_its_text():
    doc = _layout("glued_heading_like.txt")
    assert doc.title == "Comprehensive example meta-analysis of CAR T-cell therapy in myeloma."
    assert doc.abstract.startswith("BackgroundCAR T-cell therapy shows results")
    assert doc.sections[0][0] == "Background"


@pytest.mark.parametrize(
    ("line", "junk"),
    [
        ("Example Library of Slovenia - logo", True),
        ("Journal of Examples logoLink to Journal of Examples", True),
        ("Play all audios:", True),
        ("A logo-shaped lesion regressed after CAR-T cells", False),
    ],
)
def test_navigation_lines(line, junk):
    from pipeline.readers.pagetext import _JUNK

    assert bool(_JUNK.match(line)) is junk
