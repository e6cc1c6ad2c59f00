// ESLint with typescript-eslint's recommended rules; formatting is Prettier's (npm run lint runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'reports/', 'runs/', 'test-artifacts/', '.stryker-tmp/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      // tsc (noUnusedLocals, noUnusedParameters) already reports these, with the same meaning.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  // Tests read JSON answers whose shape the assertions themselves check.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
