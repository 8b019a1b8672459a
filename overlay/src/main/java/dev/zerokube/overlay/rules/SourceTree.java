package dev.zerokube.overlay.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pass 1 of the compiler (ZT1-06 §11.1): source text to a tree of tokens and blocks.
 *
 * <p>Tokens are separated by space, tab, CR and LF; {@code #} at the start of a token comments out
 * the rest of the line (a CR or an LF ends it). A token that is one of the block keywords opens a
 * block that receives the following tokens; a token ending in {@code ;} closes the innermost block
 * after being added to it, if that block is not empty. At top level nothing can be closed, so
 * there {@code accept;} adds {@code accept} and opens a block. At the end of the input the open
 * blocks are closed from the innermost out while they are not empty; the first empty one stops
 * this, and the non-empty blocks below it are then lost: {@link #lostFrom} reports that.
 *
 * <p>Positions are kept twice: the source offset, and the line and column as 1.14.1 counts them
 * (line from 1, column from 0 on the first line and from 1 on later lines, a CR that ends a
 * comment counting as a line break).
 */
final class SourceTree {
    /** The words that open a block, plus JavaScript's own property names that 1.14.1 also finds in its table. */
    private static final Set<String> BLOCK_OPENERS = Set.of("macro", "tag", "cap", "drop", "accept", "tee", "watch",
            "redirect", "break", "priority", "constructor", "__proto__", "__defineGetter__", "__defineSetter__",
            "hasOwnProperty", "__lookupGetter__", "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable",
            "toString", "valueOf", "toLocaleString");

    /** An element of a block: a token or a nested block. */
    sealed interface Node permits Token, Block {
        /** The first token at or under this node (where an error about it is reported). */
        Token firstToken();
    }

    /** One token: its text (without a closing {@code ;}), source offset and 1.14.1-style position. */
    record Token(String text, int offset, int line, int column) implements Node {
        @Override
        public Token firstToken() {
            return this;
        }

        /** The same position with other text (a macro argument replacing a {@code $param}). */
        Token withText(String replacement) {
            return new Token(replacement, offset, line, column);
        }
    }

    /** A block: the tokens and blocks following a block keyword up to its closing {@code ;}. Never empty. */
    static final class Block implements Node {
        private final List<Node> items;

        Block(List<Node> items) {
            this.items = items;
        }

        List<Node> items() {
            return items;
        }

        @Override
        public Token firstToken() {
            // Blocks nest deeply only through their first element in pathological input; walk, don't recurse.
            Node n = this;
            while (n instanceof Block b) {
                n = b.items.get(0);
            }
            return (Token) n;
        }
    }

    private final List<Node> root;
    private final Token lostFrom;
    private final Token unclosedStatement;
    private final Token lastOpener;

    private SourceTree(List<Node> root, Token lostFrom, Token unclosedStatement, Token lastOpener) {
        this.root = root;
        this.lostFrom = lostFrom;
        this.unclosedStatement = unclosedStatement;
        this.lastOpener = lastOpener;
    }

    /** The top-level elements. */
    List<Node> root() {
        return root;
    }

    /** The first token 1.14.1 silently discards at the end of the input, or {@code null}. */
    Token lostFrom() {
        return lostFrom;
    }

    /** The keyword whose statement was never closed and whose content was lost, or {@code null}. */
    Token unclosedStatement() {
        return unclosedStatement;
    }

    /** The keyword of the innermost empty block that stopped the closing, or {@code null}. */
    Token lastOpener() {
        return lastOpener;
    }

    static SourceTree parse(String src) {
        List<List<Node>> stack = new ArrayList<>();
        stack.add(new ArrayList<>());
        // The keyword that opened each block on the stack (null for the root).
        List<Token> openers = new ArrayList<>();
        openers.add(null);
        StringBuilder text = new StringBuilder();
        int tokenOffset = -1;
        int tokenLine = -1;
        int tokenColumn = -1;
        boolean inComment = false;
        int line = 1;
        int column = 0;
        for (int i = 0; i < src.length(); i++, column++) {
            char c = src.charAt(i);
            if (inComment) {
                if (c == '\r' || c == '\n') {
                    inComment = false;
                    line++;
                    column = 0;
                }
                continue;
            }
            if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
                if (c == '\n') {
                    line++;
                    column = 0;
                }
                if (!text.isEmpty()) {
                    endToken(stack, openers, text, tokenOffset, tokenLine, tokenColumn);
                    text.setLength(0);
                }
                continue;
            }
            if (text.isEmpty()) {
                if (c == '#') {
                    inComment = true;
                    continue;
                }
                tokenOffset = i;
                tokenLine = line;
                tokenColumn = column;
            }
            text.append(c);
        }
        if (!text.isEmpty()) {
            // The last token loses a closing ';' but neither closes nor opens a block.
            String t = text.toString();
            if (t.endsWith(";")) {
                t = t.substring(0, t.length() - 1);
            }
            if (!t.isEmpty()) {
                stack.getLast().add(new Token(t, tokenOffset, tokenLine, tokenColumn));
            }
        }
        while (stack.size() > 1 && !stack.getLast().isEmpty()) {
            List<Node> done = stack.removeLast();
            openers.removeLast();
            stack.getLast().add(new Block(done));
        }
        Token lostFrom = null;
        Token unclosed = null;
        Token lastOpener = null;
        if (stack.size() > 2) {
            // Every block between the root and the empty innermost one holds at least the keyword
            // that opened the next, so there is something to lose.
            lostFrom = stack.get(1).get(0).firstToken();
            unclosed = openers.get(1);
            lastOpener = openers.getLast();
        }
        return new SourceTree(stack.get(0), lostFrom, unclosed, lastOpener);
    }

    private static void endToken(List<List<Node>> stack, List<Token> openers, StringBuilder text, int offset,
            int line, int column) {
        String t = text.toString();
        boolean closes = t.endsWith(";");
        if (closes) {
            t = t.substring(0, t.length() - 1);
        }
        Token token = new Token(t, offset, line, column);
        if (!t.isEmpty()) {
            stack.getLast().add(token);
        }
        if (closes && stack.size() > 1 && !stack.getLast().isEmpty()) {
            List<Node> done = stack.removeLast();
            openers.removeLast();
            stack.getLast().add(new Block(done));
        } else if (BLOCK_OPENERS.contains(t)) {
            stack.add(new ArrayList<>());
            openers.add(token);
        }
    }
}
