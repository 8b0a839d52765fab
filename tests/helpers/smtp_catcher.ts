/** The SMTP catcher of the tests is the demo's: see scripts/smtp_catcher.ts. */
export * from "../../scripts/smtp_catcher.ts";
