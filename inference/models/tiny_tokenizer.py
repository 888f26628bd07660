"""A small GLM-style tokenizer trained in-process, so tests need no download.

Byte-level BPE (any text encodes, Chinese included) trained on a built-in support-chat corpus,
with GLM-4V's special tokens appended after the learned vocabulary, as in the real checkpoint.

User text must never produce special tokens. In transformers 5.24 pass
`split_special_tokens=True` to `tokenizer(...)` / `tokenizer.encode(...)`: special tokens in
the text are then encoded as ordinary bytes. Two caveats:
- it only covers tokens marked special; `<think>` and `</think>` are ordinary added tokens
  (as in GLM) and are still matched in user text;
- the flag is stored on the shared Rust tokenizer for the duration of each call, so a
  tokenizer must not be used from two threads at once with different settings.
`apply_chat_template(..., tokenize=True, sanitize_control_tokens=True)` is the alternative
when rendering whole conversations: it encodes control tokens found in message text as text.
"""

from __future__ import annotations

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

EOS_TOKEN = "<|endoftext|>"
IMAGE_TOKEN = "<|image|>"
IMAGE_START_TOKEN = "<|begin_of_image|>"
IMAGE_END_TOKEN = "<|end_of_image|>"
VIDEO_TOKEN = "<|video|>"
VIDEO_START_TOKEN = "<|begin_of_video|>"
VIDEO_END_TOKEN = "<|end_of_video|>"

# The order fixes the ids (first one = size of the learned vocabulary). The video tokens are
# never used here; they exist so every token id in the model config points at a real token.
SPECIAL_TOKENS = [
    EOS_TOKEN,
    "[gMASK]",
    "<sop>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|observation|>",
    IMAGE_START_TOKEN,
    IMAGE_END_TOKEN,
    IMAGE_TOKEN,
    VIDEO_START_TOKEN,
    VIDEO_END_TOKEN,
    VIDEO_TOKEN,
]
# Ordinary added tokens: the model writes them as text, as GLM does.
THINK_TOKENS = ["<think>", "</think>"]

BPE_VOCAB_SIZE = 1200
MAX_POSITIONS = 32768  # the tiny model's max_position_embeddings

# GLM-4.6V's template shape: `[gMASK]<sop>`, then `<|role|>\n` before each turn; image parts
# become `<|begin_of_image|><|image|><|end_of_image|>`; with enable_thinking=False each user
# turn ends in `/nothink` and the reply starts with an empty think block.
CHAT_TEMPLATE = (
    "[gMASK]<sop>"
    "{% set nothink = enable_thinking is defined and not enable_thinking %}"
    "{% for msg in messages %}"
    "{% if msg.role == 'system' %}<|system|>\n"
    "{% elif msg.role == 'user' %}<|user|>\n"
    "{% else %}<|assistant|>\n{% endif %}"
    "{% if msg.content is string %}{{ msg.content }}"
    "{% else %}{% for part in msg.content %}"
    "{% if part.type == 'image' %}<|begin_of_image|><|image|><|end_of_image|>"
    "{% elif part.type == 'text' %}{{ part.text }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{% if msg.role == 'user' and nothink %}/nothink{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% if nothink %}<think></think>\n{% endif %}{% endif %}"
)

SUPPORT_CORPUS = [
    "Hello! How can I help you today?",
    "Hi, I have a problem with my order.",
    "My payment failed with error code ERR-4021. What should I do?",
    "I am sorry to hear that. Could you share a screenshot of the error message?",
    "Here is a screenshot of the error dialog.",
    "The app crashes when I open the settings page.",
    "Please try to log out, clear the cache and log in again.",
    "I cannot reset my password, the email never arrives.",
    "Please check your spam folder, the email can take a few minutes.",
    "Your refund has been processed and will arrive in 5 to 7 business days.",
    "The package was delivered to the wrong address.",
    "Which browser and operating system are you using?",
    "I use Chrome on Windows 11 and the page stays blank.",
    "The button is grey and I cannot click it.",
    "Thank you for your patience, the issue has been fixed.",
    "Is there anything else I can help you with?",
    "No, thank you. Have a nice day!",
    "Error: connection timed out. Please try again later.",
    "Invalid credit card number. Check the number and try again.",
    "Your subscription will renew on the first day of next month.",
    "How do I cancel my subscription?",
    "Open Account, then Billing, then click Cancel subscription.",
    "The invoice shows the wrong amount.",
    "I was charged twice for the same order.",
    "Let me check your account. One moment please.",
    "The upload failed because the file is too large.",
    "Supported formats are PNG, JPEG, WebP and GIF.",
    "The screenshot shows a warning: disk space is low.",
    "Update the app to the latest version and restart your phone.",
    "Login failed: wrong username or password.",
    "Two-factor authentication code is not accepted.",
    "The order status says shipped but tracking shows nothing.",
    "您好！请问有什么可以帮您？",
    "我的订单还没有到，请帮我查一下。",
    "支付失败，错误代码 ERR-4021，应该怎么办？",
    "很抱歉给您带来不便，请发一张错误信息的截图。",
    "这是错误对话框的截图。",
    "打开设置页面时应用会崩溃。",
    "请退出登录，清除缓存，然后重新登录。",
    "我无法重置密码，一直收不到邮件。",
    "请检查垃圾邮件文件夹，邮件可能需要几分钟。",
    "您的退款已处理，将在五到七个工作日内到账。",
    "包裹被送到了错误的地址。",
    "您使用的是哪个浏览器和操作系统？",
    "按钮是灰色的，我点不了。",
    "感谢您的耐心等待，问题已经解决。",
    "还有其他可以帮您的吗？",
    "没有了，谢谢。祝您愉快！",
    "连接超时，请稍后再试。",
    "信用卡号码无效，请检查后重试。",
    "如何取消订阅？",
    "同一个订单被扣了两次款。",
    "请稍等，我帮您查看一下账户。",
    "上传失败，文件太大。",
    "登录失败：用户名或密码错误。",
]


def train_bpe() -> Tokenizer:
    """The learned byte-level BPE, without any special token."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=BPE_VOCAB_SIZE,
        # The full byte alphabet, so text the corpus never showed still encodes.
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(SUPPORT_CORPUS, trainer)
    return bpe


def build_tiny_tokenizer() -> PreTrainedTokenizerFast:
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=train_bpe(),
        eos_token=EOS_TOKEN,
        pad_token=EOS_TOKEN,
        additional_special_tokens=SPECIAL_TOKENS[1:],
        chat_template=CHAT_TEMPLATE,
        clean_up_tokenization_spaces=False,
        model_max_length=MAX_POSITIONS,
    )
    tokenizer.add_tokens(THINK_TOKENS)
    return tokenizer
