// Type-aware lint: an event-driven process loses errors silently without no-floating-promises.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "state/", "coverage/", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
      ],
    },
  },
  // DESIGN.md: a bot's instance state lives in the closure start(ctx) returns or in ctx.state,
  // never at module level, where every instance in a process (and every test) would share it.
  {
    files: ["bots/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
        ...[
          "Program > VariableDeclaration[kind='let']",
          "Program > ExportNamedDeclaration > VariableDeclaration[kind='let']",
          "Program > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(WeakMap|WeakSet|WeakRef)$/]",
          "Program > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set)$/][arguments.length=0]",
          "Program > ExportNamedDeclaration > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap)$/][arguments.length=0]",
        ].map((selector) => ({
          selector,
          message:
            "Module-level state is shared by every instance: keep it in the closure of start(ctx) or in ctx.state.",
        })),
      ],
    },
  },
  // The import boundary (STYLE.md): bots use core's public surface only; core never imports
  // bots. Tests may reach further (core/testing.ts, test servers).
  {
    files: ["bots/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/core/**", "!**/core/index.js"],
              message: "Bots import only core/index.js (the part of core made for bots).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["core/**/*.ts"],
    ignores: ["**/*.test.ts", "core/sdk/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/bots/**"], message: "core never imports bots." }] },
      ],
    },
  },
  // core/sdk is the part bots use; it never depends on the host that runs them.
  {
    files: ["core/sdk/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/bots/**"], message: "core never imports bots." },
            { group: ["**/host/**"], message: "core/sdk (what bots use) never imports core/host." },
          ],
        },
      ],
    },
  },
  // Type shims describe third-party modules, default exports included.
  { files: ["**/*.d.ts"], rules: { "no-restricted-syntax": "off" } },
);
