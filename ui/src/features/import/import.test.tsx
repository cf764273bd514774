import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { ImportReport } from "../../bindings";
import { USERS, facets, rows, sessionOf } from "../../test/fixtures";
import { renderApp } from "../../test/render";

function backend(onImport: (path: string) => Promise<ImportReport>) {
  const calls: [string, unknown][] = [];
  mockIPC(
    (cmd, args) => {
      calls.push([cmd, args]);
      switch (cmd) {
        case "queue_page":
          return { rows: rows(1), next_cursor: null, search_capped: false };
        case "queue_facets":
          return facets(1);
        case "app_status": // the desk works without it
          return Promise.reject({ kind: "internal", message: "n/a" });
        case "session_state":
          return { current: sessionOf(USERS.sam!), previous: null };
        case "import_file":
          return onImport(String((args as { path: string }).path));
        case "plugin:dialog|open":
          return "/home/me/picked.jsonl";
        case "list_quarantine":
          return [];
      }
    },
    { shouldMockEvents: true },
  );
  return calls;
}

const report: ImportReport = {
  source: "import:/data/nov.jsonl",
  lines: 10,
  accepted: 6,
  updated: 1,
  unchanged: 1,
  quarantined: 2,
  line_errors: [
    { line: 4, handoff_id: "hf_x", errors: [{ path: "$.intent.confidence", message: "must be between 0 and 1" }] },
    { line: 9, handoff_id: null, errors: [{ path: "$", message: "not valid JSON" }] },
  ],
  changed_ids: ["hf_a"],
};

describe("import", () => {
  test("Browse fills the path; Import shows progress, then the report with line errors", async () => {
    let finish: (r: ImportReport) => void = () => {};
    const calls = backend(() => new Promise((res) => (finish = res)));
    const { user } = renderApp();
    await screen.findByTestId("queue-list");
    await user.keyboard("i");
    const input = await screen.findByTestId("import-path");
    await user.click(screen.getByRole("button", { name: "Browse…" }));
    await waitFor(() => expect((input as HTMLInputElement).value).toBe("/home/me/picked.jsonl"));
    const dialogCall = calls.find(([c]) => c === "plugin:dialog|open")!;
    expect(JSON.stringify(dialogCall[1])).toContain('"extensions":["jsonl","json"]');

    await user.clear(input);
    await user.type(input, "/data/nov.jsonl");
    await user.click(screen.getByTestId("import-submit"));
    expect(calls.find(([c]) => c === "import_file")![1]).toEqual({ path: "/data/nov.jsonl" });
    await screen.findByTestId("import-progress");
    await act(async () => {
      await emit("import-progress", { lines_done: 5, bytes_done: 50, bytes_total: 200 });
    });
    expect(screen.getByTestId("import-progress").textContent).toContain("25%");
    expect(screen.getByRole("progressbar").getAttribute("value")).toBe("25");

    await act(async () => finish(report));
    const rep = await screen.findByTestId("import-report");
    expect(screen.getByTestId("import-lines").textContent).toContain("10");
    expect(screen.getByTestId("import-accepted").textContent).toContain("6");
    expect(screen.getByTestId("import-updated").textContent).toContain("1");
    expect(screen.getByTestId("import-unchanged").textContent).toContain("1");
    expect(screen.getByTestId("import-quarantined").textContent).toContain("2");
    expect(rep.textContent).toContain("line 4");
    expect(rep.textContent).toContain("$.intent.confidence — must be between 0 and 1");
    expect(rep.textContent).toContain("$ — not valid JSON");

    await user.click(screen.getByRole("button", { name: /Open the quarantine/ }));
    await screen.findByText("Nothing in quarantine");
  });

  test("a failed import says why", async () => {
    backend(() => Promise.reject({ kind: "invalid_input", message: "Could not open /nope.jsonl: No such file" }));
    const { user } = renderApp();
    await user.click(await screen.findByTestId("open-import"));
    await user.type(await screen.findByTestId("import-path"), "/nope.jsonl{Enter}");
    await screen.findByText("Could not open /nope.jsonl: No such file");
    expect(screen.getByText("The import failed")).toBeTruthy();
  });
});
