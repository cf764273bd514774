import { render } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { WaitingTime } from "./WaitingTime";

function waited(ms: number, slaSecs: number) {
  const { container } = render(<WaitingTime escalatedMs={Date.now() - ms} slaSecs={slaSecs} />);
  return container.querySelector(".wait") as HTMLElement;
}

describe("WaitingTime", () => {
  test("ok: plain time, exact time in the title", () => {
    const el = waited(2 * 60_000, 1800);
    expect(el.dataset.sla).toBe("ok");
    expect(el.className).toBe("wait wait--ok");
    expect(el.textContent).toContain("2 min");
    expect(el.textContent).not.toContain("⚠");
    expect(el.title).toMatch(/^Waiting since .+ — within SLA \(SLA 30 min\)$/);
  });
  test("amber past half the SLA, with an icon as well as the colour", () => {
    const el = waited(6 * 60_000, 600);
    expect(el.dataset.sla).toBe("warn");
    expect(el.className).toContain("wait--warn");
    expect(el.textContent).toContain("◔");
    expect(el.textContent).toContain("over half the SLA used");
  });
  test("red past the SLA, with an icon and a word", () => {
    const el = waited(11 * 60_000, 600);
    expect(el.dataset.sla).toBe("breach");
    expect(el.className).toContain("wait--breach");
    expect(el.textContent).toContain("⚠");
    expect(el.textContent).toContain("late");
    expect(el.textContent).toContain("11 min");
  });
});
