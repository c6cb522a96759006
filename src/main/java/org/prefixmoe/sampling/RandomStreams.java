package org.prefixmoe.sampling;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Independent, reproducible random streams derived from a master seed and a task's coordinates
 * (docs/theory.md §6): the same coordinates always give the same stream, whatever the thread or order.
 */
public final class RandomStreams {
    private RandomStreams() {
    }

    /**
     * A stream for the given master seed and coordinates, e.g. (scenario index, n, replicate,
     * purpose). The coordinates are hashed with SplitMix64 into the 256-bit state of
     * xoshiro256++.
     *
     * @param masterSeed the scenario's seed
     * @param coordinates the task's coordinates
     * @return a generator whose sequence depends only on the seed and the coordinates
     */
    public static UniformRandomProvider stream(long masterSeed, long... coordinates) {
        long h = mix(masterSeed ^ 0x5DEECE66DL);
        for (long c : coordinates) {
            h = mix(h ^ mix(c + 0x9E3779B97F4A7C15L));
        }
        long[] seed = new long[4];
        for (int k = 0; k < 4; k++) {
            h += 0x9E3779B97F4A7C15L;
            seed[k] = mix(h);
        }
        return RandomSource.XO_SHI_RO_256_PP.create(seed);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
