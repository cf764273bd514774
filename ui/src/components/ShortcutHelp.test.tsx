import { screen, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { SHORTCUTS } from "../shortcuts";
import { installBackend } from "../test/backend";
import { rows } from "../test/fixtures";
import { renderApp } from "../test/render";

describe("help overlay", () => {
  test("? lists every shortcut; Esc closes it and shortcuts are paused while it is open", async () => {
    installBackend(rows(3));
    const { user } = renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(3));
    await user.keyboard("?");
    const help = await screen.findByTestId("shortcut-help");
    expect(help.querySelectorAll("tr")).toHaveLength(SHORTCUTS.length);
    for (const s of SHORTCUTS) expect(help.textContent).toContain(s.does);
    await user.keyboard("j");
    expect(screen.getAllByTestId("queue-row").filter((r) => r.getAttribute("aria-selected") === "true")).toHaveLength(0);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("shortcut-help")).toBeNull());
    await user.keyboard("j");
    expect(screen.getAllByTestId("queue-row")[0]!.getAttribute("aria-selected")).toBe("true");
  });
});
