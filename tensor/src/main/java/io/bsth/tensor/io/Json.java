package io.bsth.tensor.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON: {@link #parse} into Map (insertion-ordered) / List / String / Double / Long / Boolean /
 * null, and {@link #write} of the same kinds (plus float[] / double[] / int[] / long[] and records
 * built by callers as maps). Used for report files, safetensors headers and model configs.
 */
public final class Json {
    private Json() {}

    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) throw p.error("trailing characters");
        return v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new IllegalArgumentException("JSON: expected an object at top level");
        return (Map<String, Object>) v;
    }

    /** Nesting deeper than this is refused (a recursive parser would otherwise overflow its stack). */
    static final int MAX_DEPTH = 512;

    private static final class Parser {
        final String s;
        int i, depth;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at character " + i);
        }

        void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        char peek() {
            if (i >= s.length()) throw error("unexpected end");
            return s.charAt(i);
        }

        Object value() {
            char c = peek();
            switch (c) {
                case '{': return nested(true);
                case '[': return nested(false);
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default: return number();
            }
        }

        Object nested(boolean object) {
            if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
            Object v = object ? object() : array();
            depth--;
            return v;
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) throw error("unexpected token");
            i += word.length();
            return v;
        }

        Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (peek() == '}') { i++; return m; }
            while (true) {
                ws();
                if (peek() != '"') throw error("expected a key");
                int at = i;
                String k = string();
                if (m.containsKey(k)) {
                    // a repeated key is ambiguous (which value counts?): refused rather than the last one silently winning
                    i = at;
                    throw error("duplicate key " + writeCompact(k.length() <= 40 ? k : k.substring(0, 37) + "..."));
                }
                ws();
                if (peek() != ':') throw error("expected ':'");
                i++;
                ws();
                m.put(k, value());
                ws();
                char c = peek();
                i++;
                if (c == '}') return m;
                if (c != ',') throw error("expected ',' or '}'");
            }
        }

        List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            ws();
            if (peek() == ']') { i++; return l; }
            while (true) {
                ws();
                l.add(value());
                ws();
                char c = peek();
                i++;
                if (c == ']') return l;
                if (c != ',') throw error("expected ',' or ']'");
            }
        }

        String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return b.toString();
                if (c == '\\') {
                    char e = peek();
                    i++;
                    switch (e) {
                        case '"', '\\', '/' -> b.append(e);
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            if (i + 4 > s.length()) throw error("bad \\u escape");
                            int u = 0;
                            for (int d = 0; d < 4; d++) {
                                int h = Character.digit(s.charAt(i + d), 16);
                                if (h < 0) throw error("bad \\u escape");
                                u = u << 4 | h;
                            }
                            b.append((char) u);
                            i += 4;
                        }
                        default -> throw error("bad escape");
                    }
                } else {
                    b.append(c);
                }
            }
        }

        Object number() {
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String t = s.substring(st, i);
            if (t.isEmpty()) throw error("unexpected character '" + s.charAt(st) + "'");
            if (!isNumber(t)) throw error("bad number " + writeCompact(t.length() <= 40 ? t : t.substring(0, 37) + "..."));
            if (t.indexOf('.') < 0 && t.indexOf('e') < 0 && t.indexOf('E') < 0) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException e) {
                    // an integer beyond 64 bits is still a JSON number: read as a double, as other JSON readers do
                }
            }
            return Double.parseDouble(t);
        }
    }

    /** JSON's number grammar: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} (no "+1", "01", "1." or ".5"). */
    static boolean isNumber(String t) {
        int i = 0, n = t.length();
        if (i < n && t.charAt(i) == '-') i++;
        if (i < n && t.charAt(i) == '0') {
            i++;
        } else {
            int st = i;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') i++;
            if (i == st) return false;
        }
        if (i < n && t.charAt(i) == '.') {
            int st = ++i;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') i++;
            if (i == st) return false;
        }
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) i++;
            int st = i;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') i++;
            if (i == st) return false;
        }
        return i == n;
    }

    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 0, true);
        return b.append('\n').toString();
    }

    /** Compact form, no newlines (for headers). */
    public static String writeCompact(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 0, false);
        return b.toString();
    }

    private static void indent(StringBuilder b, int level, boolean pretty) {
        if (!pretty) return;
        b.append('\n');
        b.append("  ".repeat(level));
    }

    private static void write(StringBuilder b, Object v, int level, boolean pretty) {
        switch (v) {
            case null -> b.append("null");
            case String s -> quote(b, s);
            case Boolean x -> b.append(x);
            case Double d -> number(b, d);
            case Float f -> number(b, f.doubleValue());
            case Number n -> b.append(n.longValue());
            case float[] a -> {
                b.append('[');
                for (int k = 0; k < a.length; k++) { if (k > 0) b.append(", "); number(b, a[k]); }
                b.append(']');
            }
            case double[] a -> {
                b.append('[');
                for (int k = 0; k < a.length; k++) { if (k > 0) b.append(", "); number(b, a[k]); }
                b.append(']');
            }
            case int[] a -> {
                b.append('[');
                for (int k = 0; k < a.length; k++) { if (k > 0) b.append(", "); b.append(a[k]); }
                b.append(']');
            }
            case long[] a -> {
                b.append('[');
                for (int k = 0; k < a.length; k++) { if (k > 0) b.append(", "); b.append(a[k]); }
                b.append(']');
            }
            case Map<?, ?> m -> {
                b.append('{');
                int k = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (k++ > 0) b.append(',');
                    indent(b, level + 1, pretty);
                    quote(b, String.valueOf(e.getKey()));
                    b.append(pretty ? ": " : ":");
                    write(b, e.getValue(), level + 1, pretty);
                }
                if (k > 0) indent(b, level, pretty);
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) b.append(pretty ? ", " : ",");
                    write(b, l.get(k), level + 1, pretty);
                }
                b.append(']');
            }
            default -> throw new IllegalArgumentException("JSON: cannot write " + v.getClass().getName());
        }
    }

    private static void number(StringBuilder b, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            b.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            b.append((long) d).append(".0");
        } else {
            b.append(d);
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
