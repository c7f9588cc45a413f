// ESLint rule `meshcall/no-literal-ui-text`: every word the interface shows goes through a
// message id (renderer/i18n), so that it exists in all six languages. It reports, in JSX:
//   - text between tags that contains a letter: <p>Hello</p>
//   - a string or template with letters that is rendered as it is, directly or through a
//     condition: {busy ? 'Wait…' : ''}, {`${n} people`}
//   - the same in attributes a person reads or hears (aria-label, title, placeholder, alt…)
//     and in this app's components' text props (label, caption, description…).
// A string handed to a function (t('chat.title'), cx('a', 'b')) is not rendered as it is, so
// it is never reported. `allow` lists words that stay the same in every language (the
// product's name).

const LETTER = /\p{L}/u;

const DEFAULT_ATTRIBUTES = [
  'aria-label',
  'aria-valuetext',
  'aria-description',
  'aria-roledescription',
  'aria-placeholder',
  'title',
  'placeholder',
  'alt',
  'label',
  'caption',
  'description',
  'codeLabel',
  'confirmLabel',
  'confirm',
  'decline',
];

/** @type {import('eslint').Rule.RuleModule} */
export const noLiteralUiText = {
  meta: {
    type: 'problem',
    docs: { description: 'User-visible text in JSX must come from the message catalogs' },
    schema: [
      {
        type: 'object',
        properties: {
          allow: { type: 'array', items: { type: 'string' } },
          attributes: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      text: 'Hard-coded interface text "{{text}}": use a message id (renderer/i18n/messages).',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const allow = new Set(options.allow ?? []);
    const attributes = new Set(options.attributes ?? DEFAULT_ATTRIBUTES);

    const visible = (text) => {
      const trimmed = text.trim();
      return trimmed !== '' && LETTER.test(trimmed) && !allow.has(trimmed);
    };
    const report = (node, text) =>
      context.report({ node, messageId: 'text', data: { text: text.trim().slice(0, 40) } });

    /** Whether the value of `node` ends up on screen unchanged, and where it is shown. */
    function shownAt(node) {
      let child = node;
      let parent = node.parent;
      for (;;) {
        if (!parent) return null;
        if (parent.type === 'ConditionalExpression' && parent.test !== child) {
          // the value of a branch is the value of the whole
        } else if (parent.type === 'LogicalExpression') {
          // a && 'x', a ?? 'x', a || 'x'
        } else if (parent.type === 'TemplateLiteral') {
          // `${'x'}` — rare, but still on screen
        } else if (parent.type === 'BinaryExpression' && parent.operator === '+') {
          // 'a' + b
        } else if (parent.type === 'TSAsExpression' || parent.type === 'TSNonNullExpression') {
          // a cast changes nothing on screen
        } else if (parent.type === 'JSXExpressionContainer') {
          return parent.parent;
        } else if (parent.type === 'JSXAttribute') {
          return parent;
        } else {
          return null;
        }
        child = parent;
        parent = parent.parent;
      }
    }

    function checkShown(node, text) {
      if (!visible(text)) return;
      const place = shownAt(node);
      if (!place) return;
      if (place.type === 'JSXAttribute') {
        const name =
          place.name.type === 'JSXNamespacedName' ? place.name.name.name : place.name.name;
        if (attributes.has(name)) report(node, text);
        return;
      }
      if (place.type === 'JSXElement' || place.type === 'JSXFragment') report(node, text);
    }

    return {
      JSXText(node) {
        if (visible(node.value)) report(node, node.value);
      },
      Literal(node) {
        if (typeof node.value === 'string') checkShown(node, node.value);
      },
      TemplateLiteral(node) {
        // An outer template covers its quasis; a nested one is checked through its parent.
        if (node.parent?.type === 'TemplateLiteral') return;
        checkShown(node, node.quasis.map((quasi) => quasi.value.cooked ?? '').join(' '));
      },
    };
  },
};

export default { rules: { 'no-literal-ui-text': noLiteralUiText } };
