import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../../test/backend";
import { detail, row, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

describe("claims", () => {
  test("c claims the open escalation; the header then names the claimer", async () => {
    const b = installBackend(rows(3), { user: "ana" });
    const { user } = renderApp({ openId: "hf_0001" });
    await screen.findByTestId("conversation-summary");
    expect(screen.queryByTestId("claimed-by")).toBeNull();
    const header = () => screen.getByRole("region", { name: "Conversation" });
    expect(within(header()).getByText("Unclaimed")).toBeTruthy();
    const queueCalls = b.queueQueries().length;
    await user.keyboard("c");
    await waitFor(() => expect(b.argsOf("claim_handoff")).toEqual([{ handoffId: "hf_0001" }]));
    await waitFor(() => expect(screen.getByTestId("claimed-by").textContent).toBe("Ana Agent"));
    expect(within(header()).getByText("(you)")).toBeTruthy();
    expect(screen.queryByTestId("claim-button")).toBeNull();
    // the queue is asked again, to show the claim on the row
    await waitFor(() => expect(b.queueQueries().length).toBeGreaterThan(queueCalls));

    await user.click(screen.getByTestId("release-button"));
    await waitFor(() => expect(b.argsOf("release_handoff")).toEqual([{ handoffId: "hf_0001" }]));
    await screen.findByTestId("claim-button");
  });

  test("mine is decided by claimed_by_id, not by the name: a namesake's claim is not mine", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    // another user with the same display name as Ana (id 9)
    b.details.set("hf_0000", { ...detail("hf_0000"), claimed_by: "Ana Agent", claimed_by_id: 9 });
    b.details.set("hf_0001", { ...detail("hf_0001"), claimed_by: "A. Agent (renamed)", claimed_by_id: 1 });
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("conversation-summary");
    const header = () => screen.getByRole("region", { name: "Conversation" });
    expect(screen.getByTestId("claimed-by").textContent).toBe("Ana Agent");
    expect(within(header()).queryByText("(you)")).toBeNull();
    expect(screen.queryByTestId("release-button")).toBeNull();
    await user.click(screen.getAllByTestId("queue-row")[1]!);
    await waitFor(() => expect(screen.getByTestId("claimed-by").textContent).toBe("A. Agent (renamed)"));
    expect(within(header()).getByText("(you)")).toBeTruthy();
    expect(screen.getByTestId("release-button")).toBeTruthy();
  });

  test("someone else was first: the conflict message from Rust shows by the claim", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    b.fail.claim_handoff = { kind: "conflict", message: "Sam Supervisor has already claimed this escalation." };
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("conversation-summary");
    await user.click(screen.getByTestId("claim-button"));
    const err = await screen.findByTestId("claim-error");
    expect(err.textContent).toContain("Sam Supervisor has already claimed this escalation.");
    expect(err.getAttribute("role")).toBe("alert");
    // opening another escalation does not carry the message over
    await user.click(screen.getAllByTestId("queue-row")[1]!);
    await waitFor(() => expect(screen.queryByTestId("claim-error")).toBeNull());
  });

  test("a user who may not claim: c does nothing", async () => {
    const b = installBackend(rows(1), { user: "lee" });
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("conversation-summary");
    await user.keyboard("c");
    expect(b.argsOf("claim_handoff")).toEqual([]);
  });

  test("Mine / Unclaimed / Any set the claim filter of the QueueQuery", async () => {
    const b = installBackend(rows(3), { user: "ana" });
    const { user } = renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(3));
    expect(b.queueQueries()[0]!.filter.claim).toBe("any");
    await user.click(screen.getByTestId("claim-filter-mine"));
    await waitFor(() => expect(b.queueQueries().at(-1)!.filter.claim).toBe("mine"));
    expect(screen.getByTestId("claim-filter-mine").getAttribute("aria-pressed")).toBe("true");
    await user.click(screen.getByTestId("claim-filter-unclaimed"));
    await waitFor(() => expect(b.queueQueries().at(-1)!.filter.claim).toBe("unclaimed"));
    await user.click(screen.getByTestId("claim-filter-any"));
    await waitFor(() => expect(b.queueQueries().at(-1)!.filter.claim).toBe("any"));
  });

  test("people who do not claim get no claim switch", async () => {
    const b = installBackend(rows(2), { user: "lee" });
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    expect(screen.queryByTestId("claim-filter")).toBeNull();
    expect(b.queueQueries()[0]!.filter.claim).toBe("any");
  });

  test("rows show the claimer's initials; late urgent rows nobody claimed stand out", async () => {
    const late = Date.now() - 10 * 60_000;
    installBackend(
      [
        row(0, { priority: "urgent", sla_secs: 120, escalated_ms: late, claimed_by: null, claimed_by_id: null }),
        row(1, { priority: "urgent", sla_secs: 120, escalated_ms: late, claimed_by: "Sam Supervisor", claimed_by_id: 2 }),
        row(2, { priority: "normal", sla_secs: 120, escalated_ms: late }),
        row(3, { claimed_by: "Ana Agent", claimed_by_id: 1 }),
      ],
      { user: "ana" },
    );
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(4));
    const [unclaimed, claimed, normal, mine] = screen.getAllByTestId("queue-row");
    expect(unclaimed!.className).toContain("qrow--unattended");
    expect(unclaimed!.textContent).toContain("unclaimed");
    expect(claimed!.className).not.toContain("qrow--unattended");
    expect(normal!.className).not.toContain("qrow--unattended");
    const avatar = claimed!.querySelector('[data-testid="row-claimed-by"]')!;
    expect(avatar.textContent).toContain("SS");
    expect(avatar.getAttribute("title")).toBe("Claimed by Sam Supervisor");
    expect(claimed!.dataset.claimed).toBe("other");
    expect(mine!.dataset.claimed).toBe("mine");
    expect(mine!.querySelector('[data-testid="row-claimed-by"]')!.getAttribute("title")).toBe("Claimed by Ana Agent (you)");
    expect(unclaimed!.querySelector('[data-testid="row-claimed-by"]')).toBeNull();
  });
});
