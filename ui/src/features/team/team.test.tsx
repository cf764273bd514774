import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test } from "vitest";
import { installBackend, type Backend } from "../../test/backend";
import { rows } from "../../test/fixtures";
import type { RoutingOffer, TeamMember } from "../../bindings";
import { OfferCard } from "./offer";
import { AvailabilityToggle, TeamView } from "./team";

const anyone = { intents: [], channels: [], languages: [] };

function board(): TeamMember[] {
  return [
    {
      user_id: 1,
      username: "ana",
      display_name: "Ana Agent",
      roles: ["agent"],
      available: true,
      since_ms: 1_795_000_000_000,
      holding: 2,
      held: [
        { user_id: 1, handoff_id: "hf_a", customer: "Ada L.", intent: "refund_request", priority: "high", claimed_at_ms: 1_795_000_000_000 },
        { user_id: 1, handoff_id: "hf_b", customer: "cus_9", intent: "order_status", priority: "normal", claimed_at_ms: 1_795_000_100_000 },
      ],
      skills: { intents: ["refund_request"], channels: ["email"], languages: ["en"] },
      offered: null,
    },
    { user_id: 2, username: "ben", display_name: "Ben Agent", roles: ["agent"], available: false, since_ms: null, holding: 0, held: [], skills: anyone, offered: null },
  ];
}

function offer(): RoutingOffer {
  return {
    id: 7,
    handoff_id: "hf_offered",
    offered_ms: Date.now(),
    expires_ms: Date.now() + 45_000,
    customer_name: "Maria Jensen",
    intent: "refund_request",
    priority: "urgent",
    channel: "email",
    summary: "Blender arrived broken; wants a refund.",
    escalated_at: "2026-12-04T10:00:00Z",
  };
}

function renderWith(node: React.ReactNode, user: "ana" | "sam" = "ana", prepare?: (b: Backend) => void) {
  const b = installBackend(rows(1), { user });
  prepare?.(b);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
  return { b, user: userEvent.setup() };
}

describe("team", () => {
  test("an agent is away until they switch to available, and the switch says which it is", async () => {
    const { b, user } = renderWith(<AvailabilityToggle />);
    const toggle = await screen.findByTestId("availability-toggle");
    await waitFor(() => expect(toggle.getAttribute("data-available")).toBe("false"));
    expect(toggle.textContent).toContain("Away");
    await user.click(toggle);
    await waitFor(() => expect(toggle.getAttribute("data-available")).toBe("true"));
    expect(toggle.textContent).toContain("Available");
    expect(b.argsOf("set_availability")).toEqual([{ available: true }]);
    await user.click(toggle);
    await waitFor(() => expect(b.argsOf("set_availability")).toEqual([{ available: true }, { available: false }]));
  });

  test("supervisors see who is available and how many escalations each holds", async () => {
    renderWith(<TeamView />, "sam", (b) => {
      b.handle.team_board = () => board();
    });
    const members = await screen.findAllByTestId("team-member");
    expect(members.map((m) => [m.getAttribute("data-username"), m.getAttribute("data-available"), m.getAttribute("data-holding")])).toEqual([
      ["ana", "true", "2"],
      ["ben", "false", "0"],
    ]);
    expect(within(members[0]!).getByText(/Available/)).toBeTruthy();
    expect(screen.getByTestId("team-summary").textContent).toContain("1 of 2 available · 2 escalations held");
  });

  test("an empty team says what to do", async () => {
    renderWith(<TeamView />, "sam", (b) => {
      b.handle.team_board = () => [];
    });
    expect((await screen.findByTestId("team-empty")).textContent).toContain("Users screen");
  });

  test("a supervisor sees what each person holds and reassigns one to someone else", async () => {
    const { b, user } = renderWith(<TeamView />, "sam", (b) => {
      b.handle.team_board = () => board();
    });
    const held = await screen.findAllByTestId("held");
    expect(held.map((h) => h.getAttribute("data-handoff-id"))).toEqual(["hf_a", "hf_b"]);
    expect(held[0]!.textContent).toContain("Ada L.");
    const pick = within(held[0]!).getByTestId("reassign") as HTMLSelectElement;
    expect(Array.from(pick.options).map((o) => o.textContent)).toEqual(["Reassign to…", "Ben Agent (away) · holds 0"]);
    await user.selectOptions(pick, "2");
    await waitFor(() => expect(b.argsOf("reassign")).toEqual([{ handoffId: "hf_a", userId: 2 }]));
  });

  test("a supervisor sets what someone takes; an empty list means any", async () => {
    const { b, user } = renderWith(<TeamView />, "sam", (b) => {
      b.handle.team_board = () => board();
    });
    const rows = await screen.findAllByTestId("team-member");
    expect(within(rows[0]!).getByTestId("skills").textContent).toBe("refund_request · Email · en");
    expect(within(rows[1]!).getByTestId("skills").textContent).toBe("any intent · any channel · any language");
    await user.click(within(rows[1]!).getByTestId("skills-edit"));
    await user.type(screen.getByTestId("skills-intents"), "order_status, shipping_delay ,");
    await user.click(screen.getByLabelText("WhatsApp"));
    await user.type(screen.getByTestId("skills-languages"), "es");
    await user.click(screen.getByTestId("skills-save"));
    await waitFor(() =>
      expect(b.argsOf("set_skills")).toEqual([{ userId: 2, skills: { intents: ["order_status", "shipping_delay"], channels: ["whatsapp"], languages: ["es"] } }]),
    );
    await waitFor(() => expect(screen.queryByTestId("skills-form")).toBeNull());
  });

  test("an offer shows who, what and the time left; y accepts it and opens the conversation", async () => {
    const opened: string[] = [];
    const { b, user } = renderWith(<OfferCard onOpen={(id) => opened.push(id)} />, "ana", (b) => {
      b.offer = offer();
    });
    const card = await screen.findByTestId("offer-card");
    expect(card.textContent).toContain("Maria Jensen");
    expect(card.textContent).toContain("refund_request");
    expect(card.textContent).toContain("Blender arrived broken");
    expect(screen.getByTestId("offer-left").textContent).toMatch(/^4\d s left$/);
    await user.keyboard("y");
    await waitFor(() => expect(opened).toEqual(["hf_offered"]));
    expect(b.argsOf("accept_offer")).toEqual([{ offerId: 7 }]);
    await waitFor(() => expect(screen.queryByTestId("offer-card")).toBeNull());
  });

  test("declining sends the offer on", async () => {
    const { b, user } = renderWith(<OfferCard onOpen={() => {}} />, "ana", (b) => {
      b.offer = offer();
    });
    await user.click(await screen.findByTestId("offer-decline"));
    await waitFor(() => expect(screen.queryByTestId("offer-card")).toBeNull());
    expect(b.argsOf("decline_offer")).toEqual([{ offerId: 7 }]);
  });

  test("an offer lost meanwhile says why, and opens nothing", async () => {
    const opened: string[] = [];
    const { user } = renderWith(<OfferCard onOpen={(id) => opened.push(id)} />, "ana", (b) => {
      b.offer = offer();
      b.handle.accept_offer = () => {
        throw { kind: "conflict", message: "The offer ran out; it goes to someone else." };
      };
    });
    await user.click(await screen.findByTestId("offer-accept"));
    expect((await screen.findByRole("alert")).textContent).toContain("ran out");
    expect(opened).toEqual([]);
  });
});
