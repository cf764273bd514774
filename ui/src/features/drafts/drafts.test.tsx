import { act, screen, waitFor, within } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, test } from "vitest";
import type { DraftDecision } from "../../bindings";
import { installBackend } from "../../test/backend";
import { deferred, draftView, installDrafts, markSent, passage } from "../../test/backend-drafts";
import { USERS, detail, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { STALE_NOTICE } from "./DraftPane";

const ID = "hf_0000";

function setup(user: keyof typeof USERS = "ana") {
  const b = installBackend(rows(3), { user });
  const d = installDrafts(b);
  return { b, d };
}

const decisions = (b: ReturnType<typeof installBackend>) => b.argsOf("decide_draft").map((a) => a.decision as DraftDecision);

async function openReady() {
  const r = renderApp({ openId: ID });
  await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("ready"));
  return r;
}

const pane = () => screen.getByTestId("draft-pane");
const sentTurns = () => screen.getAllByTestId("transcript-turn").filter((t) => t.dataset.role === "agent");

describe("draft pane", () => {
  test("tokens stream in as they arrive, then the final draft with sources, confidence and engine", async () => {
    const { b, d } = setup();
    const hold = deferred();
    d.hold = hold.promise;
    d.next.set(ID, draftView(ID, { text: "Hi Ada, I can refund the damaged item." }));
    d.tokens.set(ID, ["Hi Ada, ", "I can ", "refund"]);
    renderApp({ openId: ID });

    // streaming: the tokens so far, a "drafting…" mark, no state and no buttons yet
    await waitFor(() => expect(screen.getByTestId("draft-text").textContent).toBe("Hi Ada, I can refund"));
    expect(within(pane()).getByTestId("draft-drafting").textContent).toContain("drafting");
    expect(screen.queryByTestId("draft-state")).toBeNull();
    expect(screen.queryByTestId("draft-approve")).toBeNull();

    await act(async () => hold.resolve());
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("ready"));
    expect(screen.getByTestId("draft-text").textContent).toBe("Hi Ada, I can refund the damaged item.");
    expect(screen.queryByTestId("draft-drafting")).toBeNull();
    expect(b.argsOf("draft_for")).toHaveLength(1);
    expect(b.argsOf("draft_for")[0]!.handoffId).toBe(ID);

    const sources = screen.getAllByTestId("draft-source");
    expect(sources.map((s) => s.dataset.articleId)).toEqual(["policies/refunds", "product_defect/refund_initiate"]);
    expect(sources[0]!.textContent).toBe("Refunds › Damaged items");
    // confidence: the number and the band word, with the queue's bands from app_status (0.6 / 0.85)
    expect(screen.getByTestId("draft-confidence").textContent).toBe("0.78");
    expect(screen.getByTestId("draft-confidence-band").textContent).toBe("MEDIUM");
    expect(screen.getByTestId("draft-engine").textContent).toBe("Embedded engine");
    // which customer message it answers (turn_index 0 of the fixture's transcript)
    expect(screen.getByTestId("draft-answers").textContent).toBe("Answers “My order arrived broken.”");
    expect(screen.getByTestId("draft-approve")).toBeTruthy();
    expect(screen.getByTestId("draft-edit")).toBeTruthy();
    expect(screen.getByTestId("draft-reject")).toBeTruthy();
  });

  test("the band follows app_status().bands, not thresholds of the UI's own", async () => {
    const { b, d } = setup();
    b.status = { ...b.status, bands: { medium: 0.5, high: 0.75 } };
    d.next.set(ID, draftView(ID, { confidence: 0.78 }));
    await openReady();
    expect(screen.getByTestId("draft-confidence-band").textContent).toBe("HIGH");
  });

  test("flags are readable warnings; a fallback shows the engine's error; LLM drafts name the model", async () => {
    const { d } = setup();
    d.next.set(ID, draftView(ID, { engine: "embedded", flags: ["prompt_injection", "unverified_action_claim", "fell_back"], engine_error: "timed out after 20 s" }));
    const r = await openReady();
    const flags = screen.getAllByTestId("draft-flag");
    expect(flags.map((f) => f.dataset.flag)).toEqual(["prompt_injection", "unverified_action_claim", "fell_back"]);
    expect(flags[0]!.textContent).toContain("The customer's message looks like an attempt to instruct the AI");
    expect(flags[1]!.textContent).toContain("The draft says something was done that the handoff doesn't show as done");
    expect(flags[2]!.textContent).toContain("timed out after 20 s");
    r.unmount();

    const { d: d2 } = setup();
    d2.next.set(ID, draftView(ID, { engine: "llm", model: "gpt-4o-mini", flags: ["pii_masked"] }));
    await openReady();
    expect(screen.getByTestId("draft-engine").textContent).toBe("LLM · gpt-4o-mini");
    expect(screen.getByTestId("draft-flag").dataset.flag).toBe("pii_masked");
  });

  test("a source chip opens the passage in a popover; Esc closes it", async () => {
    const { b, d } = setup();
    d.next.set(ID, draftView(ID, { sources: [passage({ text: "Refunds go back to the original payment method." })] }));
    const { user } = await openReady();
    expect(screen.queryByTestId("source-popover")).toBeNull();
    await user.click(screen.getByTestId("draft-source"));
    const pop = screen.getByTestId("source-popover");
    expect(within(pop).getByTestId("source-text").textContent).toBe("Refunds go back to the original payment method.");
    expect(pop.textContent).toContain("policies/refunds");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("source-popover")).toBeNull();
    // Esc in the popover did not approve or do anything else
    expect(decisions(b)).toEqual([]);
    expect(screen.getByTestId("draft-state").textContent).toBe("ready");
  });

  test("a approves: the exact decision, then who decided and the reply in the transcript, Sending… then ✓ Sent", async () => {
    const { b, d } = setup();
    const { user } = await openReady();
    expect(screen.queryAllByTestId("transcript-turn").filter((t) => t.dataset.role === "agent")).toHaveLength(0);
    // focus on plain text (not a field): one key decides
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("a");
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("approved"));
    expect(decisions(b)).toEqual([{ kind: "approve" }]);
    expect(b.argsOf("decide_draft")[0]!.draftId).toBe(`dr_${ID}`);
    expect(screen.getByTestId("draft-decided-by").textContent).toBe("by Ana Agent");
    expect(screen.queryByTestId("draft-approve")).toBeNull();

    await waitFor(() => expect(sentTurns()).toHaveLength(1));
    const turn = sentTurns()[0]!;
    expect(turn.dataset.sent).toBe("false");
    expect(turn.textContent).toContain("Sending…");
    expect(turn.textContent).toContain("I'm sorry your order arrived damaged");

    // the delivery loop sends it and tells the window
    markSent(d, d.outbox[0]!.id);
    await act(async () => {
      await emit("drafts-changed", { handoff_id: ID });
    });
    await waitFor(() => expect(sentTurns()[0]!.dataset.sent).toBe("true"));
    expect(sentTurns()[0]!.textContent).toContain("✓ Sent");
    expect(sentTurns()[0]!.querySelector("time")).not.toBeNull();
    // a second `a` does nothing: the draft is decided
    await user.keyboard("a");
    expect(decisions(b)).toHaveLength(1);
  });

  test("e opens the editor with the text; Ctrl+Enter sends it as an edit", async () => {
    const { b } = setup();
    const { user } = await openReady();
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("e");
    const editor = screen.getByTestId("draft-editor") as HTMLTextAreaElement;
    expect(editor.value).toBe(draftView(ID).text);
    expect(document.activeElement).toBe(editor);
    // typing in the editor is text, not shortcuts: "a" and "r" do not approve or reject
    await user.clear(editor);
    await user.type(editor, "Hi Ada, a refund is on its way.");
    expect(decisions(b)).toEqual([]);
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("edited"));
    expect(decisions(b)).toEqual([{ kind: "edit", text: "Hi Ada, a refund is on its way." }]);
    expect(screen.getByTestId("draft-outcome").textContent).toContain("Sent to the customer with your edits.");
    // the draft itself folds away under the outcome; the sent reply is in the transcript
    expect(screen.getByTestId("draft-text").closest("details")?.open).toBe(false);
    expect(screen.getByTestId("draft-text").textContent).toBe(draftView(ID).text);
    await waitFor(() => expect(sentTurns()[0]!.textContent).toContain("Hi Ada, a refund is on its way."));
  });

  test("Esc leaves the editor without deciding; the Send button sends too", async () => {
    const { b } = setup();
    const { user } = await openReady();
    await user.click(screen.getByTestId("draft-edit"));
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("draft-editor")).toBeNull();
    expect(screen.getByTestId("draft-state").textContent).toBe("ready");
    await user.click(screen.getByTestId("draft-edit"));
    await user.type(screen.getByTestId("draft-editor"), " Thanks!");
    await user.click(screen.getByTestId("draft-send"));
    await waitFor(() => expect(decisions(b)).toEqual([{ kind: "edit", text: `${draftView(ID).text} Thanks!` }]));
  });

  test("r opens the reject form: reason, note and own reply go into the decision", async () => {
    const { b } = setup();
    const { user } = await openReady();
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("r");
    const select = screen.getByTestId("reject-reason") as HTMLSelectElement;
    expect(select.tagName).toBe("SELECT");
    expect([...select.options].map((o) => o.value)).toEqual(["inaccurate", "wrong_tone", "missing_information", "policy_violation", "not_needed", "other"]);
    expect([...select.options].map((o) => o.textContent)).toContain("Wrong tone");
    await user.selectOptions(select, "wrong_tone");
    await user.type(screen.getByTestId("reject-note"), "Too formal for this customer");
    await user.type(screen.getByTestId("reject-own-reply"), "Hey Ada! Refund sorted.");
    await user.click(screen.getByTestId("reject-submit"));
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("rejected"));
    expect(decisions(b)).toEqual([{ kind: "reject", reason: "wrong_tone", note: "Too formal for this customer", own_reply: "Hey Ada! Refund sorted." }]);
    expect(screen.getByTestId("draft-outcome").textContent).toContain("Wrong tone: Too formal for this customer");
    await waitFor(() => expect(sentTurns()[0]!.textContent).toContain("Hey Ada! Refund sorted."));
  });

  test("a draft with a warning asks before it is sent: a then a sends, Esc steps back", async () => {
    const { b, d } = setup();
    d.next.set(ID, draftView(ID, { flags: ["unverified_action_claim", "pii_masked"] }));
    const { user } = await openReady();
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("a");
    // one warning (masked PII is information, not a warning): asked, nothing sent
    expect(screen.getByTestId("draft-confirm").textContent).toContain("despite its warning?");
    expect(decisions(b)).toEqual([]);
    // focus is not moved onto "Send anyway": Enter or Space (opening a row) does not send it
    expect(document.activeElement).not.toBe(screen.getByTestId("draft-confirm-send"));
    await user.keyboard("{Enter} ");
    expect(decisions(b)).toEqual([]);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("draft-confirm")).toBeNull();
    expect(screen.getByTestId("draft-approve")).toBeTruthy();
    expect(decisions(b)).toEqual([]);
    // the button asks too; then a second a sends
    await user.click(screen.getByTestId("draft-approve"));
    expect(screen.getByTestId("draft-confirm")).toBeTruthy();
    await user.keyboard("aa");
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("approved"));
    // the second a of a quick double press did not send again
    expect(decisions(b)).toEqual([{ kind: "approve" }]);
  });

  test("a draft with only information flags is sent by one key", async () => {
    const { b, d } = setup();
    d.next.set(ID, draftView(ID, { flags: ["pii_masked", "fell_back"] }));
    const { user } = await openReady();
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("a");
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("approved"));
    expect(screen.queryByTestId("draft-confirm")).toBeNull();
    expect(decisions(b)).toEqual([{ kind: "approve" }]);
  });

  test("rejecting as Other needs a note; without note or own reply they are null", async () => {
    const { b } = setup();
    const { user } = await openReady();
    await user.click(screen.getByTestId("draft-reject"));
    await user.selectOptions(screen.getByTestId("reject-reason"), "other");
    await user.click(screen.getByTestId("reject-submit"));
    expect(screen.getByTestId("reject-note-error").textContent).toBe("Say why the draft was rejected.");
    expect(decisions(b)).toEqual([]);
    await user.selectOptions(screen.getByTestId("reject-reason"), "not_needed");
    await user.click(screen.getByTestId("reject-submit"));
    await waitFor(() => expect(decisions(b)).toEqual([{ kind: "reject", reason: "not_needed", note: null, own_reply: null }]));
    expect(screen.getAllByTestId("transcript-turn").filter((t) => t.dataset.role === "agent")).toHaveLength(0);
  });

  test("keys do nothing while typing in a field, after g (the g a chord), or with a modifier", async () => {
    const { b } = setup("sam");
    const { user } = await openReady();
    await user.click(screen.getByTestId("search-input"));
    await user.keyboard("aer");
    expect(screen.queryByTestId("draft-editor")).toBeNull();
    expect(screen.queryByTestId("reject-reason")).toBeNull();
    await user.keyboard("{Escape}");
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("{Control>}a{/Control}");
    await user.keyboard("ga");
    // "g a" went to the analytics (sam may view them), and nothing was decided
    await screen.findByTestId("analytics-view");
    expect(decisions(b)).toEqual([]);
  });

  test("a note to the agent has no Approve: Write your own reply sends the agent's text", async () => {
    const { b, d } = setup();
    d.next.set(ID, draftView(ID, { is_note: true, text: "The customer asks for legal advice. Do not advise.", flags: ["refusal_topic"], confidence: 0, sources: [] }));
    const { user } = await openReady();
    expect(screen.queryByTestId("draft-approve")).toBeNull();
    expect(screen.getByTestId("draft-flag").dataset.flag).toBe("refusal_topic");
    expect(screen.getByTestId("draft-edit").textContent).toContain("Write your own reply");
    await user.click(screen.getByTestId("conversation-summary"));
    await user.keyboard("a");
    expect(decisions(b)).toEqual([]);
    await user.keyboard("e");
    const editor = screen.getByTestId("draft-editor") as HTMLTextAreaElement;
    expect(editor.value).toBe("");
    expect(screen.getByTestId("draft-send")).toHaveProperty("disabled", true);
    await user.type(editor, "Our legal team will contact you.");
    await user.click(screen.getByTestId("draft-send"));
    await waitFor(() => expect(decisions(b)).toEqual([{ kind: "edit", text: "Our legal team will contact you." }]));
  });

  test("stale: a conflict because the customer wrote again shows the notice and asks for a fresh draft", async () => {
    const { b, d } = setup();
    const { user } = await openReady();
    // the customer wrote again; another desk's draft_for made this one stale
    d.drafts.set(`dr_${ID}`, { ...d.drafts.get(`dr_${ID}`)!, state: "stale" });
    d.next.set(ID, draftView(ID, { id: "dr_fresh", turn_index: 0, text: "Fresh answer to the new message." }));
    await user.click(screen.getByTestId("draft-approve"));
    await waitFor(() => expect(screen.getByTestId("draft-stale-notice").textContent).toContain(STALE_NOTICE));
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("ready"));
    expect(screen.getByTestId("draft-text").textContent).toBe("Fresh answer to the new message.");
    expect(b.argsOf("draft_for")).toHaveLength(2);
    expect(screen.getByTestId("draft-stale-notice").textContent).toContain(STALE_NOTICE);
    await user.click(screen.getByTestId("draft-approve"));
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("approved"));
    expect(b.argsOf("decide_draft").map((a) => a.draftId)).toEqual([`dr_${ID}`, "dr_fresh"]);
    expect(screen.queryByTestId("draft-stale-notice")).toBeNull();
  });

  test("stale: a new customer message in the transcript marks the draft stale and drafts afresh", async () => {
    const { b, d } = setup();
    await openReady();
    const hold = deferred();
    d.hold = hold.promise;
    d.tokens.set(ID, []);
    d.next.set(ID, draftView(ID, { id: "dr_new", turn_index: 2, text: "Answer to the new message." }));
    const dd = detail(ID);
    dd.handoff.transcript = [...dd.handoff.transcript, { role: "customer", text: "Hello? Anyone there?", at: new Date().toISOString() }];
    b.details.set(ID, dd);
    await act(async () => {
      await emit("queue-changed", { handoff_ids: [ID], quarantined: 0 });
    });
    // the old draft, marked stale with the notice, while the fresh one is drafted
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("stale"));
    expect(screen.getByTestId("draft-stale-notice").textContent).toContain(STALE_NOTICE);
    expect(screen.queryByTestId("draft-approve")).toBeNull();
    expect(d.draftCalls()).toHaveLength(2);
    await act(async () => hold.resolve());
    await waitFor(() => expect(screen.getByTestId("draft-text").textContent).toBe("Answer to the new message."));
    expect(screen.getByTestId("draft-state").textContent).toBe("ready");
  });

  test("decided elsewhere: the conflict shows inline and the pane shows who decided", async () => {
    const { b, d } = setup();
    const { user } = await openReady();
    d.drafts.set(`dr_${ID}`, { ...d.drafts.get(`dr_${ID}`)!, state: "approved", decided_by: "Sam Supervisor", sent_text: "x" });
    await user.click(screen.getByTestId("draft-reject"));
    await user.click(screen.getByTestId("reject-submit"));
    await waitFor(() => expect(screen.getByTestId("draft-error").textContent).toContain("This draft was already approved."));
    expect(screen.getByTestId("draft-error").dataset.kind).toBe("conflict");
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("approved"));
    expect(screen.getByTestId("draft-decided-by").textContent).toBe("by Sam Supervisor");
    expect(decisions(b)).toHaveLength(1);
  });

  test("a draft full of HTML, script and markdown images renders inert, as text", async () => {
    const { d } = setup();
    const evil =
      'Hi! <script>window.__pwned = 1</script><img src="http://198.51.100.7/x.png" onerror="window.__pwned = 2"> ![tracker](http://198.51.100.7/t.png) [click](javascript:alert(1)) <a href="http://198.51.100.7">x</a> <b>bold</b>';
    d.next.set(ID, draftView(ID, { text: evil, sources: [passage({ title: "<img src=x onerror=alert(1)>", text: "<script>window.__pwned = 3</script>" })] }));
    const { user } = await openReady();
    expect(screen.getByTestId("draft-text").textContent).toBe(evil);
    await user.click(screen.getByTestId("draft-source"));
    expect(screen.getByTestId("source-text").textContent).toBe("<script>window.__pwned = 3</script>");
    expect(pane().querySelector("script, img, a, b, iframe")).toBeNull();
    expect(document.querySelector('img[src^="http"], script[src]')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    // the editor shows it as plain text too
    await user.click(screen.getByTestId("draft-edit"));
    expect((screen.getByTestId("draft-editor") as HTMLTextAreaElement).value).toBe(evil);
    expect(pane().querySelector("script, img, a")).toBeNull();
  });

  test("nothing to draft when the customer said nothing; a failed draft says so and can be retried", async () => {
    const { b, d } = setup();
    d.next.set(ID, null);
    const r = renderApp({ openId: ID });
    await waitFor(() => expect(pane().textContent).toContain("nothing to draft"));
    r.unmount();

    const { b: b2 } = setup();
    b2.failOnce.draft_for = { kind: "internal", message: "the knowledge base is being reindexed" };
    const { user } = renderApp({ openId: ID });
    await waitFor(() => expect(screen.getByTestId("draft-error").textContent).toContain("the knowledge base is being reindexed"));
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getByTestId("draft-state").textContent).toBe("ready"));
    expect(b.argsOf("draft_for").length + b2.argsOf("draft_for").length).toBe(3);
  });

  test("a reply the channel refused says so and why, instead of Sending…", async () => {
    const { d } = setup("ana");
    d.outbox.push({
      id: "ob_1",
      handoff_id: ID,
      draft_id: "dr_x",
      author: "Ana Agent",
      text: "Your refund is on its way.",
      sent: false,
      created_at_ms: Date.now() - 60_000,
      sent_at_ms: null,
      last_error: "the bot platform rejected the request (404)",
    });
    renderApp({ openId: ID });
    await waitFor(() => expect(sentTurns()).toHaveLength(1));
    const status = within(sentTurns()[0]!).getByTestId("sent-status");
    expect(status.dataset.state).toBe("not-delivered");
    expect(status.textContent).toContain("Not delivered yet");
    expect(within(sentTurns()[0]!).getByTestId("delivery-error").textContent).toBe("the bot platform rejected the request (404)");
  });

  test("without reply_to_customers: no draft pane, no draft_for, but sent replies still show", async () => {
    const { b, d } = setup("lee");
    d.outbox.push({ id: "ob_1", handoff_id: ID, draft_id: "dr_x", author: "Ana Agent", text: "Your refund is on its way.", sent: true, created_at_ms: Date.now() - 60_000, sent_at_ms: Date.now() - 50_000, last_error: null });
    renderApp({ openId: ID });
    await waitFor(() => expect(sentTurns()).toHaveLength(1));
    expect(sentTurns()[0]!.dataset.sent).toBe("true");
    expect(sentTurns()[0]!.textContent).toContain("Ana Agent");
    expect(screen.queryByTestId("draft-pane")).toBeNull();
    expect(b.argsOf("draft_for")).toHaveLength(0);
  });
});
