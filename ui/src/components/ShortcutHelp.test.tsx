import { screen, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { SHORTCUTS, shortcutsFor } from "../shortcuts";
import { installBackend } from "../test/backend";
import { USERS, rows, sessionOf } from "../test/fixtures";
import { renderApp } from "../test/render";

describe("help overlay", () => {
  test("? lists every shortcut; Esc closes it and shortcuts are paused while it is open", async () => {
    installBackend(rows(3));
    const { user } = renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(3));
    await user.keyboard("?");
    const help = await screen.findByTestId("shortcut-help");
    // sam (supervisor and agent) claims but does not rate, manage users or export
    const granted = new Set(sessionOf(USERS.sam!).permissions);
    const mine = shortcutsFor((p) => granted.has(p));
    expect(help.querySelectorAll("tr")).toHaveLength(mine.length);
    for (const s of mine) expect(help.textContent).toContain(s.does);
    expect(help.textContent).toContain("Claim the open escalation");
    expect(help.textContent).not.toContain("next handoff you have not rated");
    expect(help.textContent).not.toContain("users screen");
    expect(mine.length).toBeLessThan(SHORTCUTS.length);
    await user.keyboard("j");
    expect(screen.getAllByTestId("queue-row").filter((r) => r.getAttribute("aria-selected") === "true")).toHaveLength(0);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("shortcut-help")).toBeNull());
    await user.keyboard("j");
    expect(screen.getAllByTestId("queue-row")[0]!.getAttribute("aria-selected")).toBe("true");
  });
});

test("a team lead's help lists u for the next unrated handoff, and no claim", async () => {
  installBackend(rows(2), { user: "lee" });
  const { user } = renderApp();
  await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
  await user.keyboard("?");
  const help = await screen.findByTestId("shortcut-help");
  const u = Array.from(help.querySelectorAll("tr")).find((tr) => tr.textContent?.includes("not rated"));
  expect(u?.querySelector("kbd")?.textContent).toBe("u");
  expect(help.textContent).not.toContain("Claim the open escalation");
});
