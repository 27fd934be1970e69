import { useMutation, useQueryClient } from "@tanstack/react-query";

/**
 * A mutation that refreshes the lists it changes. `invalidates` names their query keys' first
 * part ("projects", "time-entries", …).
 */
export function useChange<A, R>(action: (arg: A) => Promise<R>, invalidates: string[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: () =>
      Promise.all(invalidates.map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
  });
}
