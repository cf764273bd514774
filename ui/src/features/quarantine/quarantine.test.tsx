import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { QuarantineEntry } from "../../bindings";
import { installBackend } from "../../test/backend";
import { rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

const entry = (id: number, over: Partial<QuarantineEntry> = {}): QuarantineEntry => ({
  id,
  received_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  source: "import:/data/nov.jsonl",
  line_no: 17,
  handoff_id: "hf_bad",
  raw_text: '{"channel":"fax"}',
  raw_is_utf8: true,
  raw_bytes: 17,
  errors: [
    { path: "$.channel", message: "must be one of web, email, sms, whatsapp, in_app, voice" },
    { path: "$.customer", message: "is required" },
  ],
  ...over,
});

describe("quarantine", () => {
  test("g q opens it from the keyboard; entries show every error and the raw text", async () => {
    const b = installBackend(rows(2));
    b.quarantine = [entry(9), entry(8, { raw_is_utf8: false, raw_text: "caf\uFFFD", line_no: null, handoff_id: null })];
    const { user } = renderApp();
    await waitFor(() => expect(screen.getByTestId("nav-quarantine").textContent).toContain("2"));
    await user.keyboard("gq");
    const items = await screen.findAllByTestId("quarantine-item");
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain("$.channel — must be one of web, email, sms, whatsapp, in_app, voice");
    expect(items[0]!.textContent).toContain("$.customer — is required");
    expect(items[0]!.textContent).toContain("line 17");
    expect(items[0]!.textContent).toContain("hf_bad");
    expect(items[0]!.textContent).toContain("import:/data/nov.jsonl");
    expect(within(items[0]!).getByLabelText("Raw document").textContent).toBe('{"channel":"fax"}');
    expect(items[0]!.textContent).not.toContain("not valid UTF-8");
    expect(items[1]!.textContent).toContain("not valid UTF-8");
    expect(b.calls.find((c) => c.cmd === "list_quarantine")!.args).toEqual({ beforeId: null, limit: 50 });

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryAllByTestId("quarantine-item")).toHaveLength(0));
    expect(screen.getByTestId("queue-list")).toBeTruthy();
  });

  test("the top-bar button opens it; an empty quarantine says so", async () => {
    installBackend(rows(1));
    const { user } = renderApp();
    await user.click(await screen.findByTestId("nav-quarantine"));
    await screen.findByText("Nothing in quarantine");
  });
});
