import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { useDraftKeys } from "./useDraftKeys";

function Harness({ on, enabled = true, dialog = false }: { on: Record<"a" | "e" | "r", () => void>; enabled?: boolean; dialog?: boolean }) {
  useDraftKeys(on, enabled);
  return (
    <div>
      <p data-testid="plain">text</p>
      <input data-testid="field" />
      <textarea data-testid="area" />
      <select data-testid="select">
        <option value="a">a</option>
      </select>
      <input type="checkbox" data-testid="check" />
      {dialog && <div role="dialog" aria-modal="true" />}
    </div>
  );
}

function setup(props: { enabled?: boolean; dialog?: boolean } = {}) {
  const on = { a: vi.fn(), e: vi.fn(), r: vi.fn() };
  const user = userEvent.setup();
  render(<Harness on={on} {...props} />);
  return { on, user };
}

describe("the draft pane's keys", () => {
  test("a, e and r run their handlers when focus is on plain content or a checkbox", async () => {
    const { on, user } = setup();
    await user.click(screen.getByTestId("plain"));
    await user.keyboard("aer");
    expect([on.a.mock.calls.length, on.e.mock.calls.length, on.r.mock.calls.length]).toEqual([1, 1, 1]);
    await user.click(screen.getByTestId("check"));
    await user.keyboard("a");
    expect(on.a).toHaveBeenCalledTimes(2);
  });

  test("not while typing in a text field, a textarea or a select", async () => {
    const { on, user } = setup();
    for (const id of ["field", "area", "select"]) {
      screen.getByTestId(id).focus();
      await user.keyboard("aer");
    }
    expect(on.a).not.toHaveBeenCalled();
    expect(on.e).not.toHaveBeenCalled();
    expect(on.r).not.toHaveBeenCalled();
  });

  test("the key after g belongs to the app's chords (g a opens the analytics)", async () => {
    const { on, user } = setup();
    await user.click(screen.getByTestId("plain"));
    await user.keyboard("ga");
    expect(on.a).not.toHaveBeenCalled();
    await user.keyboard("a");
    expect(on.a).toHaveBeenCalledTimes(1);
  });

  test("not with Ctrl, Alt or Meta held", async () => {
    const a = setup();
    await a.user.click(screen.getByTestId("plain"));
    await a.user.keyboard("{Control>}a{/Control}{Alt>}e{/Alt}{Meta>}r{/Meta}");
    expect(a.on.a).not.toHaveBeenCalled();
    expect(a.on.e).not.toHaveBeenCalled();
    expect(a.on.r).not.toHaveBeenCalled();
  });

  test("not under a modal dialog (the step-up prompt, the help)", async () => {
    const d = setup({ dialog: true });
    await d.user.keyboard("a");
    expect(d.on.a).not.toHaveBeenCalled();
  });

  test("not when the pane has nothing to decide (disabled)", async () => {
    const d = setup({ enabled: false });
    await d.user.keyboard("aer");
    expect(d.on.a).not.toHaveBeenCalled();
    expect(d.on.e).not.toHaveBeenCalled();
    expect(d.on.r).not.toHaveBeenCalled();
  });
});
