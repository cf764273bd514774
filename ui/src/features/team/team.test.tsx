import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test } from "vitest";
import { installBackend, type Backend } from "../../test/backend";
import { rows } from "../../test/fixtures";
import { AvailabilityToggle, TeamView } from "./team";

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
      b.handle.team_board = () => [
        { user_id: 1, username: "ana", display_name: "Ana Agent", roles: ["agent"], available: true, since_ms: 1_795_000_000_000, holding: 2 },
        { user_id: 2, username: "ben", display_name: "Ben Agent", roles: ["agent"], available: false, since_ms: null, holding: 0 },
      ];
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
});
