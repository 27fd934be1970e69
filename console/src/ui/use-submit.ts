import { type FormEvent, useState } from "react";
import { type Problem, problemOf } from "../api/errors";

/**
 * A form's submit: reads its fields, runs the action, and keeps the API's answer as a Problem so
 * that each field shows its own error (`details.field`) and the rest shows at the form.
 */
export function useSubmit(action: (form: FormData, element: HTMLFormElement) => Promise<unknown>) {
  const [problem, setProblem] = useState<Problem>();
  const [pending, setPending] = useState(false);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    setPending(true);
    setProblem(undefined);
    try {
      await action(new FormData(element), element);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setPending(false);
    }
  };
  return { onSubmit, problem, pending, setProblem };
}

/** A text field of a FormData, undefined when empty. */
export function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
