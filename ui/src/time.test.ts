import { describe, expect, test } from "vitest";
import { formatAgo, formatDuration, slaLevel } from "./time";

describe("relative time", () => {
  test("durations read like a person would say them", () => {
    expect(formatDuration(0)).toBe("<1 min");
    expect(formatDuration(59_999)).toBe("<1 min");
    expect(formatDuration(60_000)).toBe("1 min");
    expect(formatDuration(6 * 60_000 + 59_000)).toBe("6 min");
    expect(formatDuration(59 * 60_000)).toBe("59 min");
    expect(formatDuration(60 * 60_000)).toBe("1 h");
    expect(formatDuration(125 * 60_000)).toBe("2 h 5 min");
    expect(formatDuration(24 * 3600_000)).toBe("1 d");
    expect(formatDuration(27 * 3600_000 + 5 * 60_000)).toBe("1 d 3 h");
    expect(formatDuration(-5000)).toBe("<1 min");
  });

  test("ago", () => {
    const now = 1_800_000_000_000;
    expect(formatAgo(now - 30_000, now)).toBe("just now");
    expect(formatAgo(now - 6 * 60_000, now)).toBe("6 min ago");
    expect(formatAgo(now + 10 * 60_000, now)).toBe("in 10 min");
  });
});

describe("SLA colouring", () => {
  const sla = 600; // 10 min
  test("within the first half: no colour", () => {
    expect(slaLevel(0, sla)).toBe("ok");
    expect(slaLevel(300_000, sla)).toBe("ok"); // exactly half is not past half
  });
  test("past half of the SLA: amber", () => {
    expect(slaLevel(300_001, sla)).toBe("warn");
    expect(slaLevel(600_000, sla)).toBe("warn"); // exactly the SLA is not past it
  });
  test("past the SLA: red", () => {
    expect(slaLevel(600_001, sla)).toBe("breach");
    expect(slaLevel(86_400_000, sla)).toBe("breach");
  });
  test("a missing SLA never colours", () => {
    expect(slaLevel(10_000_000, 0)).toBe("ok");
  });
});
