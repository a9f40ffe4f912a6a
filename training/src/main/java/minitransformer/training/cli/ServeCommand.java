package minitransformer.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import minitransformer.training.TrainedModel;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.serve.ExplorerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: a local web page and JSON API to explore a trained model, until Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Explore a trained model in the browser.",
      "Serve a page to explore a trained model in the browser (model card, next-token predictions as you type,"
          + " streamed sampling, attention maps, the q·k breakdown, embeddings) and its JSON API:"
          + " GET /api/model; POST /api/predict, /api/sample (server-sent events), /api/attention, /api/explain,"
          + " /api/similarity; GET /api/events while it follows a run. Given a run directory, it follows the run as it"
          + " trains: the loss curve grows and each new checkpoint is served in turn. Runs until Ctrl-C."
          + " See training/docs/api.md for the API."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "2:bad input: option value or checkpoint", "130:stopped by Ctrl-C"})
public final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions model;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "The address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0: every network).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "The port (0: any free port; default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
      description = "Copies of the model graph that answer at once (each holds the weights; default ${DEFAULT-VALUE}).")
  int workers;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (port < 0 || port > 65535) {
      throw new BadOptionException("--port (" + port + ") must be in 0..65535");
    }
    if (workers < 1 || workers > 16) {
      throw new BadOptionException("--workers (" + workers + ") must be in 1..16");
    }
    TrainedModel loaded = model.load(spec.commandLine().getErr());
    ExplorerServer server;
    try {
      server = ExplorerServer.start(loaded, host, port, workers);
    } catch (BindException e) {
      throw new BadOptionException("--host " + host + " --port " + port + ": cannot listen there (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new BadOptionException("--host " + host + ": " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      out.println("stopping the server ...");
      out.flush();
      server.close();
      out.println("stopped");
      out.flush();
      stopped.countDown();
    }, "stop-serve-on-signal");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("serving " + loaded.directory() + " (step " + loaded.step() + ") at " + server.uri());
    if (!Files.isRegularFile(model.checkpoint.resolve(CheckpointStore.META_FILE))) { // a run directory
      server.follow(model.checkpoint);
      out.println("following " + model.checkpoint + ": the page's loss curve grows as it trains, and each checkpoint"
          + " it saves is served in turn");
    }
    out.println("open it in a browser; Ctrl-C stops the server");
    out.flush();
    stopped.await(); // the shutdown hook closes the server, then the JVM exits (130 after Ctrl-C)
    return 0;
  }
}
