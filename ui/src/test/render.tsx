import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App, type InitialState } from "../App";

export function renderApp(initial?: InitialState) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 } } });
  const user = userEvent.setup();
  const utils = render(
    <QueryClientProvider client={client}>
      <App initial={initial} />
    </QueryClientProvider>,
  );
  return { ...utils, user, client };
}
