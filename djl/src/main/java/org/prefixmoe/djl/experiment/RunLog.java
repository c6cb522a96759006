package org.prefixmoe.djl.experiment;

import org.prefixmoe.djl.train.Method;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Append-only CSV of finished adaptation runs, keyed by the settings tag, so that experiments resume. */
final class RunLog {

    static final String HEADER = "settings,method,seed,accuracy,trainable_params,deployed_params,train_seconds,"
            + "seconds_per_epoch,eval_seconds,final_loss,folded_accuracy";

    private RunLog() {}

    static List<Adaptation.Result> read(Path file, String tag) throws IOException {
        List<Adaptation.Result> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(",");
            if (f.length != 11 || !f[0].equals(tag)) {
                continue;
            }
            out.add(new Adaptation.Result(Method.parse(f[1]), Long.parseLong(f[2]), Double.parseDouble(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                    Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10])));
        }
        return out;
    }

    static void append(Path file, String tag, Adaptation.Result r) throws IOException {
        if (!Files.isRegularFile(file)) {
            Files.writeString(file, HEADER + "\n");
        }
        String line = String.format(Locale.ROOT, "%s,%s,%d,%.5f,%d,%d,%.2f,%.3f,%.2f,%.5f,%.5f%n", tag,
                r.method().label(), r.seed(), r.accuracy(), r.trainableParameters(), r.deployedParameters(),
                r.trainSeconds(), r.secondsPerEpoch(), r.evalSeconds(), r.finalLoss(), r.foldedAccuracy());
        Files.writeString(file, line, StandardOpenOption.APPEND);
    }
}
