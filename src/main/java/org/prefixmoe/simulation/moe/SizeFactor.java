package org.prefixmoe.simulation.moe;

import java.util.ArrayList;
import java.util.List;

/**
 * A factor that depends on the sample size, {@code Σ_t c_t n^{p_t}}, for truths that move with n
 * ({@code η*(n) = η_0 (1 + n^{-1/8})}). The grammar, spaces ignored:
 * <pre>
 *   factor   := ['-'] term (('+' | '-') term)*
 *   term     := NUMBER | [NUMBER ['*']] 'n' ['^' power]
 *   power    := ['-'] NUMBER ['/' NUMBER]  |  '(' ['-'] NUMBER ['/' NUMBER] ')'
 * </pre>
 * e.g. {@code 1 + n^-1/8}, {@code 1 - 0.5 n^(-1/4)}, {@code 2*n^-0.125}; {@code n^-1/8} is
 * {@code n^{-1/8}} (the power binds the fraction). Immutable.
 *
 * @param text the factor as written
 * @param coefficients c_t
 * @param powers p_t (0 for a constant term)
 */
public record SizeFactor(String text, double[] coefficients, double[] powers) {

    /**
     * Copies the arrays.
     *
     * @param text the factor as written
     * @param coefficients c_t
     * @param powers p_t
     * @throws IllegalArgumentException when the arrays differ in length or hold a non-finite number
     */
    public SizeFactor {
        coefficients = coefficients.clone();
        powers = powers.clone();
        if (coefficients.length != powers.length || coefficients.length == 0) {
            throw new IllegalArgumentException("times: need as many coefficients as powers, at least one");
        }
        for (int t = 0; t < coefficients.length; t++) {
            if (!Double.isFinite(coefficients[t]) || !Double.isFinite(powers[t])) {
                throw new IllegalArgumentException("times: '" + text + "' has a non-finite number");
            }
        }
    }

    /**
     * The factor at a sample size.
     *
     * @param n the sample size
     * @return {@code Σ_t c_t n^{p_t}}
     */
    public double at(int n) {
        double v = 0;
        for (int t = 0; t < coefficients.length; t++) {
            v += coefficients[t] * (powers[t] == 0 ? 1 : Math.pow(n, powers[t]));
        }
        return v;
    }

    /**
     * Parses a factor.
     *
     * @param field the field named in messages
     * @param text the text
     * @return the factor
     * @throws IllegalArgumentException naming the field, the text and where it stops making sense
     */
    public static SizeFactor parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(field + ": empty; expected e.g. \"1 + n^-1/8\"");
        }
        String s = text.replaceAll("\\s+", "");
        List<Double> cs = new ArrayList<>();
        List<Double> ps = new ArrayList<>();
        int[] pos = {0};
        double sign = 1;
        if (s.startsWith("-")) {
            sign = -1;
            pos[0] = 1;
        } else if (s.startsWith("+")) {
            pos[0] = 1;
        }
        while (true) {
            double c = 1;
            double p = 0;
            boolean number = false;
            if (pos[0] < s.length() && (Character.isDigit(s.charAt(pos[0])) || s.charAt(pos[0]) == '.')) {
                c = number(field, text, s, pos);
                number = true;
                if (pos[0] < s.length() && s.charAt(pos[0]) == '*') {
                    pos[0]++;
                    if (pos[0] >= s.length() || s.charAt(pos[0]) != 'n') {
                        throw bad(field, text, "'*' must be followed by n");
                    }
                }
            }
            if (pos[0] < s.length() && s.charAt(pos[0]) == 'n') {
                pos[0]++;
                p = 1;
                if (pos[0] < s.length() && s.charAt(pos[0]) == '^') {
                    pos[0]++;
                    boolean paren = pos[0] < s.length() && s.charAt(pos[0]) == '(';
                    if (paren) {
                        pos[0]++;
                    }
                    double ps0 = 1;
                    if (pos[0] < s.length() && s.charAt(pos[0]) == '-') {
                        ps0 = -1;
                        pos[0]++;
                    }
                    p = ps0 * number(field, text, s, pos);
                    if (pos[0] < s.length() && s.charAt(pos[0]) == '/') {
                        pos[0]++;
                        double den = number(field, text, s, pos);
                        if (den == 0) {
                            throw bad(field, text, "a power divides by 0");
                        }
                        p /= den;
                    }
                    if (paren) {
                        if (pos[0] >= s.length() || s.charAt(pos[0]) != ')') {
                            throw bad(field, text, "missing ')'");
                        }
                        pos[0]++;
                    }
                }
            } else if (!number) {
                throw bad(field, text, "expected a number or n at character " + (pos[0] + 1));
            }
            cs.add(sign * c);
            ps.add(p);
            if (pos[0] == s.length()) {
                break;
            }
            char op = s.charAt(pos[0]);
            if (op != '+' && op != '-') {
                throw bad(field, text, "unexpected '" + op + "'");
            }
            sign = op == '+' ? 1 : -1;
            pos[0]++;
        }
        return new SizeFactor(text, cs.stream().mapToDouble(Double::doubleValue).toArray(),
                ps.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double number(String field, String text, String s, int[] pos) {
        int start = pos[0];
        while (pos[0] < s.length() && (Character.isDigit(s.charAt(pos[0])) || s.charAt(pos[0]) == '.'
                || ((s.charAt(pos[0]) == 'e' || s.charAt(pos[0]) == 'E') && pos[0] > start))) {
            if ((s.charAt(pos[0]) == 'e' || s.charAt(pos[0]) == 'E') && pos[0] + 1 < s.length()
                    && s.charAt(pos[0] + 1) == '-') {
                pos[0]++;
            }
            pos[0]++;
        }
        if (start == pos[0]) {
            throw bad(field, text, "expected a number at character " + (start + 1));
        }
        try {
            return Double.parseDouble(s.substring(start, pos[0]));
        } catch (NumberFormatException e) {
            throw bad(field, text, "'" + s.substring(start, pos[0]) + "' is not a number");
        }
    }

    private static IllegalArgumentException bad(String field, String text, String why) {
        return new IllegalArgumentException(field + ": cannot read '" + text + "' (" + why + "; expected e.g. \"1 + n^-1/8\")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SizeFactor f && f.text.equals(text) && java.util.Arrays.equals(f.coefficients, coefficients)
                && java.util.Arrays.equals(f.powers, powers);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
