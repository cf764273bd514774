import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, test, vi } from "vitest";
import { call, IpcFailure, isKind, on, retryable, toIpcError } from "./ipc";

describe("ipc", () => {
  test("call passes camelCase args and returns the result", async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return { version: "1" };
    });
    await expect(call("get_handoff", { handoffId: "hf_1" })).resolves.toEqual({ version: "1" });
    expect(seen).toEqual([["get_handoff", { handoffId: "hf_1" }]]);
  });

  test("a rejected IpcError keeps its kind and message", async () => {
    mockIPC(() => Promise.reject({ kind: "not_found", message: "No escalation hf_1" }));
    const err = await call("get_handoff", { handoffId: "hf_1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcFailure);
    expect(err).toMatchObject({ kind: "not_found", message: "No escalation hf_1" });
  });

  test("every kind the Rust side sends is kept, for the UI to act on (sign-in, step-up, conflicts)", () => {
    for (const kind of ["unauthenticated", "forbidden", "step_up_required", "wrong_credentials", "rate_limited", "conflict"] as const) {
      expect(toIpcError({ kind, message: "m" })).toMatchObject({ kind, message: "m" });
    }
    expect(isKind({ kind: "step_up_required", message: "Confirm your password to do this." }, "step_up_required")).toBe(true);
    expect(isKind(new Error("x"), "step_up_required")).toBe(false);
    // only a failing back end is worth retrying
    expect(retryable(0, { kind: "internal", message: "locked" })).toBe(true);
    expect(retryable(1, { kind: "internal", message: "locked" })).toBe(false);
    expect(retryable(0, { kind: "unauthenticated", message: "Sign in first." })).toBe(false);
    expect(retryable(0, { kind: "not_found", message: "gone" })).toBe(false);
  });

  test("anything else rejected becomes an internal IpcError", () => {
    expect(toIpcError("plain string")).toMatchObject({ kind: "internal", message: "plain string" });
    expect(toIpcError({ kind: "weird", message: "m" })).toMatchObject({ kind: "internal", message: "m" });
    expect(toIpcError(new Error("boom"))).toMatchObject({ kind: "internal", message: "boom" });
    expect(toIpcError(undefined).kind).toBe("internal");
    expect(toIpcError(undefined).message).not.toBe("");
    expect(toIpcError({ code: 5 })).toMatchObject({ kind: "internal", message: '{"code":5}' });
  });

  test("on delivers payloads and stops after unsubscribe, even before listen resolved", async () => {
    mockIPC(() => undefined, { shouldMockEvents: true });
    const got = vi.fn();
    const early = vi.fn();
    on("queue-changed", early)(); // unsubscribed synchronously
    const off = on("queue-changed", got);
    await new Promise((r) => setTimeout(r, 0));
    await emit("queue-changed", { handoff_ids: ["a"], quarantined: 0 });
    expect(got).toHaveBeenCalledWith({ handoff_ids: ["a"], quarantined: 0 });
    off();
    await emit("queue-changed", { handoff_ids: ["b"], quarantined: 0 });
    expect(got).toHaveBeenCalledTimes(1);
    expect(early).not.toHaveBeenCalled();
    clearMocks();
  });
});
