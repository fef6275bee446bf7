"""The drafting loop against the scripted OpenAI-compatible server: tool calls with JSON
arguments and their answers, the verifier's revisions, and the offline fallback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.drafting_model import draft_from_prompt, drafting_model, section_title, tool_results
from helpers.examples import EXAMPLES, example_facts
from helpers.llm_server import RecordedRequest, Reply, ScriptedServer, completion, tool_call

from modeldoc.facts import FactSheet, Section
from modeldoc.llm.client import ChatClient
from modeldoc.llm.drafting import (
    MAX_REVISIONS,
    Breaker,
    SectionDrafter,
    estimate_first_request,
    tidy_answer,
)
from modeldoc.llm.usage import UsageMeter
from modeldoc.present.sections import SECTIONS_BY_ID
from modeldoc.writing.lookups import Lookups
from modeldoc.writing.offline import OfflineWriter
from modeldoc.writing.verify import index_facts, verify_section

REPO = EXAMPLES / "cancer-xgboost"
EVALUATION = SECTIONS_BY_ID["evaluation"]


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> FactSheet:
    return example_facts("cancer-xgboost", tmp_path_factory.mktemp("cancer") / "out")


@pytest.fixture
def drafter(
    facts: FactSheet, make_client: Callable[..., ChatClient]
) -> Callable[..., SectionDrafter]:
    def make(*, client: ChatClient | None = None, breaker: Breaker | None = None) -> SectionDrafter:
        return SectionDrafter(client or make_client(), Lookups(facts, REPO), index_facts(facts),
                              breaker=breaker)  # fmt: skip

    return make


def offline(facts: FactSheet, section_id: str = "evaluation") -> Section:
    return verify_section(OfflineWriter().write(SECTIONS_BY_ID[section_id], facts),
                          index_facts(facts))  # fmt: skip


def test_a_good_draft_is_published_with_its_tool_round(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    llm_server.fallback = drafting_model()
    section = drafter().draft(EVALUATION, offline(facts))
    assert section.writer == f"openai:{llm_server.model}" and section.note is None
    assert section.text.startswith("This section explains evaluation results for reviewers.")
    assert section.findings and not section.unmatched
    first, second = llm_server.chat_requests
    # The tools went out as schemas; the tool call came back as JSON arguments, and its answer
    # went back in a data block tied to the call.
    assert {tool["function"]["name"] for tool in first.body["tools"]} == {
        "get_fact", "list_metrics", "find_symbol", "read_source", "shap_for_feature"}  # fmt: skip
    assistant = second.messages[-2]
    assert assistant["tool_calls"][0]["function"] == {"name": "list_metrics", "arguments": "{}"}
    (answer,) = tool_results(second)
    assert second.messages[-1]["tool_call_id"] == assistant["tool_calls"][0]["id"]
    assert answer.startswith("<<<DATA ") and '"name": "accuracy"' in answer
    assert section.usage is not None and section.usage.calls == 2
    assert section.usage.prompt_tokens > 0 and section.usage.estimated_calls == 0


def test_an_invented_number_and_feature_are_caught_and_revised(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    invented = "The accuracy is 0.912, driven by `worst_concave_points`."
    llm_server.reply(invented)
    llm_server.enqueue(lambda request: Reply(body=completion(draft_from_prompt(request))))
    section = drafter().draft(EVALUATION, offline(facts))
    assert section.writer == f"openai:{llm_server.model}" and section.note is None
    assert "0.912" not in section.text and not section.unmatched
    revision = llm_server.chat_requests[1]
    assert revision.messages[-2] == {"role": "assistant", "content": invented}
    asked = revision.messages[-1]["content"]
    assert "number `0.912`" in asked and "identifier `worst_concave_points`" in asked


def test_a_draft_that_never_becomes_correct_falls_back(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    for _ in range(MAX_REVISIONS + 1):
        llm_server.reply("Accuracy is 0.99 on `made_up_feature`.")
    expected = offline(facts)
    section = drafter().draft(EVALUATION, expected)
    assert len(llm_server.chat_requests) == MAX_REVISIONS + 1
    assert section.text == expected.text and section.writer == "offline"
    assert section.note is not None and f"after {MAX_REVISIONS} revisions" in section.note
    assert "0.99" in section.note and "made_up_feature" in section.note
    assert section.usage is not None and section.usage.calls == MAX_REVISIONS + 1


def test_a_rate_limit_is_retried_and_then_succeeds(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    llm_server.error(429, "Rate limit reached", headers={"retry-after-ms": "1"})
    llm_server.enqueue(drafting_model(look_up=False))
    section = drafter().draft(EVALUATION, offline(facts))
    assert len(llm_server.chat_requests) == 2
    assert section.note is None and section.writer == f"openai:{llm_server.model}"


def test_a_refused_key_falls_back_once_and_stops_the_other_sections(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    llm_server.error(401, "Incorrect API key provided.", code="invalid_api_key")
    breaker = Breaker()
    first = drafter(breaker=breaker).draft(EVALUATION, offline(facts))
    second = drafter(breaker=breaker).draft(
        SECTIONS_BY_ID["limitations"], offline(facts, "limitations")
    )
    # One request in all: no retry of the 401, and no request for the next section.
    assert len(llm_server.chat_requests) == 1
    for section in (first, second):
        assert section.writer == "offline"
        assert section.note is not None and "401" in section.note


def test_a_request_refused_as_bad_falls_back_alone(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    llm_server.error(400, "This model's maximum context length is 8192 tokens.")
    llm_server.enqueue(drafting_model(look_up=False))
    breaker = Breaker()
    first = drafter(breaker=breaker).draft(EVALUATION, offline(facts))
    second = drafter(breaker=breaker).draft(
        SECTIONS_BY_ID["limitations"], offline(facts, "limitations")
    )
    assert first.writer == "offline" and first.note is not None and "400" in first.note
    assert "maximum context length" in first.note
    assert breaker.reason is None and second.note is None
    assert len(llm_server.chat_requests) == 2


def test_a_budget_too_small_sends_nothing(
    llm_server: ScriptedServer,
    drafter: Callable[..., SectionDrafter],
    facts: FactSheet,
    make_client: Callable[..., ChatClient],
) -> None:
    client = make_client(usage=UsageMeter(max_tokens=200))
    section = drafter(client=client).draft(EVALUATION, offline(facts))
    assert llm_server.chat_requests == []
    assert section.writer == "offline"
    assert section.note is not None and "--max-tokens budget" in section.note


def test_tool_mistakes_are_explained_and_the_loop_goes_on(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    llm_server.tool_calls(
        tool_call("drop_table", {}, "a"),
        tool_call("get_fact", {"path": "evaluation.nothing_here"}, "b"),
        tool_call("read_source", {"file": "train.py", "start_line": "ten"}, "c"),
        tool_call("read_source", {"file": "../../etc/passwd", "start_line": 1, "end_line": 5}, "d"),
        tool_call("shap_for_feature", {"feature": "worst radius"}, "e"),
    )
    llm_server.enqueue(drafting_model(look_up=False))
    section = drafter().draft(EVALUATION, offline(facts))
    assert section.note is None
    answers = tool_results(llm_server.chat_requests[1])
    assert answers[0].startswith("There is no tool called 'drop_table'")
    assert answers[1].startswith("Not in the facts: no fact at 'evaluation.nothing_here'")
    assert answers[2].startswith("Invalid arguments for read_source")
    assert answers[3].startswith("Not in the facts:") and "root:" not in answers[3]
    assert answers[4].startswith("<<<DATA ") and '"feature": "worst radius"' in answers[4]


def test_a_model_that_only_calls_tools_is_made_to_write(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    def always_a_tool(request: RecordedRequest) -> Reply:
        if request.body.get("tool_choice") == "none":
            return Reply(body=completion(draft_from_prompt(request)))
        call = tool_call("list_metrics", {}, f"call-{len(tool_results(request))}")
        return Reply(body=completion(None, tool_calls=[call]))

    llm_server.fallback = always_a_tool
    made = drafter()
    section = made.draft(EVALUATION, offline(facts))
    assert section.note is None
    assert len(llm_server.chat_requests) == made.max_tool_rounds + 1
    assert llm_server.chat_requests[-1].body["tool_choice"] == "none"


def test_a_source_excerpt_reaches_the_model_without_its_secrets(
    llm_server: ScriptedServer, facts: FactSheet, make_client: Callable[..., ChatClient],
    tmp_path: Path,
) -> None:  # fmt: skip
    repo = tmp_path / "repo"
    repo.mkdir()
    source = (REPO / "train.py").read_text()
    (repo / "train.py").write_text(
        '# aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n'
        '# aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n' + source
    )
    llm_server.tool_calls(tool_call("read_source", {"file": "train.py", "start_line": 1,
                                                    "end_line": 20}, "a"))  # fmt: skip
    llm_server.enqueue(drafting_model(look_up=False))
    drafter = SectionDrafter(make_client(), Lookups(facts, repo), index_facts(facts))
    drafter.draft(SECTIONS_BY_ID["architecture"], offline(facts, "architecture"))
    (excerpt,) = tool_results(llm_server.chat_requests[1])
    assert "import xgboost as xgb" in excerpt and "aws_access_key_id" in excerpt
    for request in llm_server.requests:
        assert "AKIAIOSFODNN7EXAMPLE" not in request.text
        assert "wJalrXUtnFEMI" not in request.text


def test_the_first_request_is_estimated_without_a_call(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    estimate = estimate_first_request(EVALUATION, offline(facts), Lookups(facts, REPO))
    llm_server.fallback = lambda request: Reply(body=completion("x", usage=(1, 1)))
    assert llm_server.chat_requests == []
    drafter().draft(EVALUATION, offline(facts))
    sent = len(json.dumps(llm_server.chat_requests[0].body["messages"]))
    # About one token per four characters of what was sent, tool schemas on top.
    assert sent / 4 < estimate < sent / 4 + 1500


def test_the_section_title_identifies_each_request(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    llm_server.fallback = drafting_model(look_up=False)
    drafter().draft(EVALUATION, offline(facts))
    assert section_title(llm_server.chat_requests[0]) == EVALUATION.title


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("```markdown\nThe model is good.\n```", "The model is good."),
        ("## Evaluation results\n\nThe model is good.", "The model is good."),
        ("The model.\n\n### Caveats\nSmall data.", "The model.\n\n**Caveats**\nSmall data."),
        ("See ![plot](https://evil.example/p.png) here.", "See plot here."),
        ("Read [the docs](https://evil.example).", "Read the docs."),
        ("At [`train.py:18`](https://github.com/o/r/blob/c/train.py#L18).",
         "At [`train.py:18`](https://github.com/o/r/blob/c/train.py#L18)."),
    ],
)  # fmt: skip
def test_answers_are_tidied_into_a_section_body(answer: str, expected: str) -> None:
    allowed = "[`train.py:18`](https://github.com/o/r/blob/c/train.py#L18)"
    assert tidy_answer(answer, title="Evaluation results", allowed_links=allowed) == expected


CAPABLE_EVALUATION = """\
The model was evaluated on a held-out set of 143 rows. It classifies 95.8% of them correctly
(accuracy 0.958, 95% interval 0.923 to 0.986), and its balanced accuracy of 0.951 shows that it
does nearly as well on the smaller class `0` as on class `1`.

Its ranking of cases is close to perfect: the ROC AUC is 0.995 [0.988, 1.000]. Probabilities
are well calibrated, with a Brier score of 0.028 and a log loss of 0.090.

Because the evaluation set is small, the intervals are wide: accuracy could plausibly be as low
as 0.923."""


def test_prose_a_capable_model_writes_is_published_as_it_is(
    llm_server: ScriptedServer, drafter: Callable[..., SectionDrafter], facts: FactSheet
) -> None:
    # Percentages of fractions, intervals in words and rounded-as-shown values all verify.
    llm_server.reply(CAPABLE_EVALUATION)
    section = drafter().draft(EVALUATION, offline(facts))
    assert section.note is None and section.text == CAPABLE_EVALUATION
    assert {finding.text for finding in section.findings} >= {"95.8%", "0.958", "0.923", "143"}
    assert len(llm_server.chat_requests) == 1
