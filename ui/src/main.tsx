import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, type InitialState } from "./App";
import { retryable } from "./ipc";
import "./styles.css";

async function start() {
  let initial: InitialState | undefined;
  // Statically false in a normal build, so the fixture module is not even bundled.
  if (import.meta.env.VITE_MOCK === "1") {
    const mock = await import("./dev/mock");
    initial = mock.installMock(new URLSearchParams(window.location.search));
  }
  const client = new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: (n, err) => retryable(n, err) },
    },
  });
  const root = document.getElementById("root");
  if (!root) throw new Error("index.html has no #root");
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <App initial={initial} />
      </QueryClientProvider>
    </StrictMode>,
  );
}

void start();
