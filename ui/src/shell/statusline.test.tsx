import { render, screen } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { AppStatus } from "../bindings";
import { appStatus } from "../test/fixtures";
import { StatusLine } from "./StatusLine";

const base: AppStatus = appStatus({ demo_password: null, demo_accounts: [] });

const line = (status: AppStatus) => render(<StatusLine status={status} lastEventAt={null} fetching={false} offline={false} />);

describe("status line: the HTTP bot source", () => {
  test("absent when no source is configured", () => {
    line(base);
    expect(screen.queryByTestId("source-status")).toBeNull();
  });

  test("connecting, then pulled at a time", () => {
    const { rerender } = line({ ...base, http_source: { url: "https://bots.example.com/v1", last_ok_ms: null, last_error: null, last_error_ms: null } });
    expect(screen.getByTestId("source-status").dataset.state).toBe("waiting");
    expect(screen.getByTestId("source-status").textContent).toContain("bots.example.com");
    expect(screen.getByTestId("source-status").textContent).toContain("connecting");
    rerender(
      <StatusLine
        status={{ ...base, http_source: { url: "https://bots.example.com/v1", last_ok_ms: Date.now(), last_error: null, last_error_ms: null } }}
        lastEventAt={null}
        fetching={false}
        offline={false}
      />,
    );
    expect(screen.getByTestId("source-status").dataset.state).toBe("ok");
    expect(screen.getByTestId("source-status").textContent).toContain("pulled");
  });

  test("an error says what happened, in words", () => {
    const error = "the bot platform refused the credentials (401): store a valid token with `handoff-desk source set-token`";
    line({ ...base, http_source: { url: "https://bots.example.com/v1", last_ok_ms: 1, last_error: error, last_error_ms: 2 } });
    const s = screen.getByTestId("source-status");
    expect(s.dataset.state).toBe("error");
    expect(s.textContent).toContain("refused the credentials");
    expect(s.title).toContain(error);
  });
});
