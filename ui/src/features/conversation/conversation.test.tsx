import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../../test/backend";
import { detail, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

describe("conversation and context", () => {
  test("the context pane shows the intent with its number and band word", async () => {
    const b = installBackend(rows(1));
    const d = detail("hf_0000");
    d.band = "medium";
    d.handoff.intent = { name: "refund_request", confidence: 0.6249, alternatives: [{ name: "order_status", confidence: 0.21 }] };
    b.details.set("hf_0000", d);
    renderApp({ openId: "hf_0000" });
    await waitFor(() => expect(screen.getByTestId("intent-name").textContent).toBe("refund_request"));
    expect(screen.getByTestId("intent-confidence").textContent).toBe("0.62");
    expect(screen.getByTestId("confidence-band").textContent).toBe("MEDIUM");
    const alt = screen.getByTestId("intent-alternative");
    expect(alt.textContent).toContain("order_status");
    expect(alt.textContent).toContain("0.21");
    expect(alt.textContent).toContain("LOW");
  });

  test("the band word is the one the Rust side sends, not a threshold of the UI's own", async () => {
    const b = installBackend(rows(1));
    const d = detail("hf_0000");
    d.band = "high"; // e.g. bands configured with high >= 0.6
    d.handoff.intent = { name: "refund_request", confidence: 0.62, alternatives: [] };
    b.details.set("hf_0000", d);
    renderApp({ openId: "hf_0000" });
    await waitFor(() => expect(screen.getByTestId("confidence-band").textContent).toBe("HIGH"));
    expect(screen.getByTestId("intent-confidence").textContent).toBe("0.62");
  });

  test("header, summary, transcript turns, sources, fields and the action ledger", async () => {
    installBackend(rows(1));
    renderApp({ openId: "hf_0000" });
    const summary = await screen.findByTestId("conversation-summary");
    expect(summary.textContent).toBe("Wants a refund for order A123; item arrived damaged; photo sent.");
    expect(screen.getByTestId("conversation-customer").textContent).toBe("Ada L.");
    const pane = screen.getByRole("region", { name: "Conversation" });
    expect(within(pane).getByText("✓ verified")).toBeTruthy();
    expect(within(pane).getByText("gold")).toBeTruthy();

    const turns = screen.getAllByTestId("transcript-turn");
    expect(turns.map((t) => t.dataset.role)).toEqual(["customer", "bot"]);
    expect(within(turns[1]!).getByText("kb/returns")).toBeTruthy();
    expect(within(turns[0]!).queryByText("kb/returns")).toBeNull();

    const fields = screen.getAllByTestId("collected-field");
    expect(fields.map((f) => f.textContent)).toEqual(["order_idA123verified", "amount59.00stated", "currencyUSDinferred"]);
    // provenance: a word (and an icon) per field, as the Rust side sent it
    expect(screen.getAllByTestId("field-provenance").map((p) => p.dataset.provenance)).toEqual(["verified", "stated", "inferred"]);

    const actions = screen.getAllByTestId("action-item");
    expect(actions.map((a) => a.dataset.status)).toEqual(["succeeded", "denied"]);
    expect(actions[1]!.textContent).toContain("billing.refund");
    expect(actions[1]!.textContent).toContain("denied"); // the word, not only an icon or colour
    expect(actions[1]!.textContent).toContain("above bot limit of 25.00");
  });

  test("an action's params expand to pretty JSON", async () => {
    const { user } = (installBackend(rows(1)), renderApp({ openId: "hf_0000" }));
    const actions = await screen.findAllByTestId("action-item");
    const second = actions[1]!;
    const toggle = within(second).getByTestId("action-params-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(within(second).queryByTestId("action-params")).toBeNull();
    await user.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(within(second).getByTestId("action-params").textContent).toBe(
      '{\n  "order_id": "A123",\n  "amount": "59.00"\n}',
    );
    await user.click(toggle);
    expect(within(second).queryByTestId("action-params")).toBeNull();
  });

  test("markup from a customer or the model is shown as text, never run as HTML", async () => {
    const b = installBackend(rows(1));
    const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"><b>bold</b>';
    const d = detail("hf_0000", {
      summary: `Summary with <i>markup</i> ${evil}`,
      transcript: [
        { role: "customer", text: evil, at: new Date().toISOString() },
        { role: "bot", text: "<a href='javascript:alert(1)'>click</a>", at: new Date().toISOString(), sources: ["<kb>"] },
      ],
      collected_fields: { "<key>": "<img src=y>" },
    });
    b.details.set("hf_0000", d);
    renderApp({ openId: "hf_0000" });
    const turns = await screen.findAllByTestId("transcript-turn");
    expect(turns[0]!.textContent).toContain(evil);
    expect(turns[1]!.textContent).toContain("<a href='javascript:alert(1)'>click</a>");
    expect(screen.getByTestId("conversation-summary").textContent).toBe(`Summary with <i>markup</i> ${evil}`);
    const conversation = screen.getByRole("region", { name: "Conversation" });
    expect(conversation.querySelector("script, img, b, i, a")).toBeNull();
    expect(screen.getByTestId("collected-field").querySelector("img")).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test("a missing escalation shows an error with a retry", async () => {
    const b = installBackend(rows(1));
    b.fail.get_handoff = { kind: "not_found", message: "No escalation with id hf_0000." };
    renderApp({ openId: "hf_0000" });
    await screen.findByText("No escalation with id hf_0000.");
    expect(screen.getByText("Could not open this escalation")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
  });
});
