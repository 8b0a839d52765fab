/** The one `waitFor` of the tests (polling with a deadline): see scripts/wait.ts. */
export { waitFor, type WaitOptions } from "../../scripts/wait.ts";
